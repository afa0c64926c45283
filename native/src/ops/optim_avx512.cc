// AVX-512 build of the fused optimizer loops (CMake adds the -mavx512* flags, and -ffp-contract=off for
// the optimizer files: the same bits as the baseline build). See optim_loops.h.
#if defined(__x86_64__) || defined(_M_X64)
#include "ops/optim_loops.h"

TAPEGRAD_DEFINE_OPTIM_TABLE(optim_table_avx512)
#endif
