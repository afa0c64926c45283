// AVX2 + FMA build of the elementwise/reduction inner kernels (CMake adds -mavx2 -mfma to *_avx2.cc).
// ODR rule for ISA translation units: no inline function or template shared with other TUs; everything
// from kernels.h has internal linkage, and only <cstdint> and our plain headers are included.
// GCC contracts a*b+c into FMA here (C++ keeps -ffp-contract=fast), so results may differ from the
// scalar build in the last bit; the kernels' exactness tricks hold either way.
#if defined(__x86_64__) || defined(_M_X64)
#include "ops/kernels.h"

TAPEGRAD_DEFINE_KERNEL_TABLE(kernel_table_avx2)
#endif
