// Baseline x86-64 (SSE2) build of the elementwise/reduction inner kernels; also the only build on
// other architectures. See kernels.h.
#include "ops/kernels.h"

TAPEGRAD_DEFINE_KERNEL_TABLE(kernel_table_scalar)
