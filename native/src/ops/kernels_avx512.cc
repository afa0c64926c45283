// AVX-512 (F, DQ, BW, VL) build of the elementwise/reduction inner kernels (CMake adds the -mavx512*
// flags to *_avx512.cc). ODR rule for ISA translation units: no inline function or template shared with
// other TUs; everything from kernels.h has internal linkage, and only <cstdint> and our plain headers
// are included. GCC contracts a*b+c into FMA here, so results may differ from the scalar build in the
// last bit; the kernels' exactness tricks hold either way.
#if defined(__x86_64__) || defined(_M_X64)
#include "ops/kernels.h"

TAPEGRAD_DEFINE_KERNEL_TABLE(kernel_table_avx512)
#endif
