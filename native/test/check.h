// A minimal test harness for the native unit tests (no external test framework to install).
// Each *_test.cc is its own ctest executable: TEST(name) { CHECK(...); } and main() from TEST_MAIN().
#pragma once
#include <cmath>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace check {

struct Case {
  const char* name;
  std::function<void()> body;
};
inline std::vector<Case>& registry() {
  static std::vector<Case> cases;
  return cases;
}
inline int& failures() {
  static int n = 0;
  return n;
}
struct Register {
  Register(const char* name, std::function<void()> body) { registry().push_back({name, std::move(body)}); }
};

inline void fail(const char* file, int line, const std::string& what) {
  ++failures();
  std::fprintf(stderr, "%s:%d: FAILED: %s\n", file, line, what.c_str());
}

// |got - want| <= atol + rtol·|want|, NaN equal to NaN.
inline bool close(double got, double want, double atol, double rtol) {
  if (std::isnan(want)) return std::isnan(got);
  if (std::isinf(want)) return got == want;
  return std::fabs(got - want) <= atol + rtol * std::fabs(want);
}

inline int run_all() {
  int failed_cases = 0;
  for (const Case& c : registry()) {
    const int before = failures();
    c.body();
    const bool ok = failures() == before;
    if (!ok) ++failed_cases;
    std::printf("%s %s\n", ok ? "ok  " : "FAIL", c.name);
  }
  std::printf("%zu cases, %d failed\n", registry().size(), failed_cases);
  return failed_cases == 0 ? 0 : 1;
}

}  // namespace check

#define CHECK_CAT2(a, b) a##b
#define CHECK_CAT(a, b) CHECK_CAT2(a, b)
#define TEST(name)                                                        \
  static void name();                                                     \
  static ::check::Register CHECK_CAT(check_register_, name)(#name, name); \
  static void name()
#define CHECK(cond)                                        \
  do {                                                     \
    if (!(cond)) ::check::fail(__FILE__, __LINE__, #cond); \
  } while (0)
#define CHECK_CLOSE(got, want, atol, rtol)                                                                           \
  do {                                                                                                               \
    const double check_got_ = static_cast<double>(got), check_want_ = static_cast<double>(want);                     \
    if (!::check::close(check_got_, check_want_, atol, rtol))                                                        \
      ::check::fail(__FILE__, __LINE__,                                                                              \
                    std::string(#got " = ") + std::to_string(check_got_) + ", want " + std::to_string(check_want_)); \
  } while (0)
#define TEST_MAIN() \
  int main() { return ::check::run_all(); }
