// std::__throw_bad_array_new_length, which GCC 11+ allocators call, is exported by libstdc++ only from
// GLIBCXX_3.4.29 (GCC 11); defining it here (hidden, like every symbol of the addon) lets a prebuilt
// addon load with an older libstdc++. See native/include/tapegrad/compat_symbols.h.
#if defined(__linux__) && defined(__GLIBCXX__)
#include <new>

namespace std {
[[noreturn]] void __throw_bad_array_new_length() { throw bad_array_new_length(); }
}  // namespace std
#endif
