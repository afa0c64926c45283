// Baseline x86-64 (SSE2) build of the fused optimizer loops; also the only build on other
// architectures. See optim_loops.h.
#include "ops/optim_loops.h"

TAPEGRAD_DEFINE_OPTIM_TABLE(optim_table_scalar)
