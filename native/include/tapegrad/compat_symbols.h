// Force-included into every native source on x86-64 Linux (CMakeLists.txt), so that a prebuilt addon
// loads on distributions as old as glibc 2.28 and the libstdc++ they ship, whatever compiler built it.
// test/native/symbols.test.ts lists the versioned symbols the built addon asks of the system.
//
// - glibc 2.29 gave log, pow, exp, log2 and exp2 new symbol versions: the same functions without the
//   old SVID error wrapper. Binding to the original versions keeps the results and costs only the
//   wrapper's errno check, on scalar paths (the vector kernels do not call libm).
// - GCC 12's libstdc++ exports condition_variable::wait(unique_lock&) again at GLIBCXX_3.4.30; the
//   same function has been exported at GLIBCXX_3.4.11 since GCC 4.4.
// - GCC 11's allocators call std::__throw_bad_array_new_length (GLIBCXX_3.4.29): binding/compat.cc
//   defines it inside the addon instead.
#pragma once
#if defined(__linux__) && defined(__x86_64__)
#include <features.h>  // defines __GLIBC__ (this header is included before any other)
#if defined(__GLIBC__)
__asm__(".symver log,log@GLIBC_2.2.5");
__asm__(".symver pow,pow@GLIBC_2.2.5");
__asm__(".symver exp,exp@GLIBC_2.2.5");
__asm__(".symver log2,log2@GLIBC_2.2.5");
__asm__(".symver exp2,exp2@GLIBC_2.2.5");
#endif
#if defined(__cplusplus)
#include <cstddef>  // defines __GLIBCXX__ when the C++ library is libstdc++
#endif
#if defined(__GLIBCXX__)
__asm__(
    ".symver _ZNSt18condition_variable4waitERSt11unique_lockISt5mutexE,"
    "_ZNSt18condition_variable4waitERSt11unique_lockISt5mutexE@GLIBCXX_3.4.11");
#endif
#endif
