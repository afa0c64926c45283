// The storage block pool: a given-back block is handed out again for the same size, zero-filled when
// asked; the cap holds, evicting the least recently used size first; counters add up; concurrent
// takes and gives from several threads lose nothing (run under ASan in CI).
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

#include "check.h"
#include "tapegrad/block_pool.h"

using namespace tapegrad;

TEST(reuses_a_given_back_block) {
  BlockPool pool(1 << 20);
  void* a = pool.take(4096, false);
  CHECK(a != nullptr);
  CHECK(reinterpret_cast<uintptr_t>(a) % BlockPool::kAlignment == 0);
  pool.give(a, 4096);
  void* b = pool.take(4096, false);
  CHECK(b == a);
  const BlockPoolStats s = pool.stats();
  CHECK(s.fresh == 1 && s.from_cache == 1 && s.given_back == 1);
  CHECK(s.lent_bytes == 4096 && s.cached_bytes == 0);
  pool.give(b, 4096);
}

TEST(sizes_round_to_the_alignment) {
  BlockPool pool(1 << 20);
  void* a = pool.take(100, false);
  pool.give(a, 100);
  CHECK(pool.stats().cached_bytes == 128);
  CHECK(pool.take(120, false) == a);  // same rounded size
  pool.give(a, 120);
  CHECK(pool.take(0, false) == nullptr);
}

TEST(zeroed_on_request) {
  BlockPool pool(1 << 20);
  auto* a = static_cast<unsigned char*>(pool.take(8192, false));
  std::memset(a, 0xAB, 8192);
  pool.give(a, 8192);
  auto* b = static_cast<unsigned char*>(pool.take(8192, true));
  CHECK(b == a);
  bool all_zero = true;
  for (int i = 0; i < 8192; ++i) all_zero = all_zero && b[i] == 0;
  CHECK(all_zero);
  pool.give(b, 8192);
}

TEST(cap_evicts_least_recently_used_size) {
  BlockPool pool(3 * 4096);
  void* small1 = pool.take(4096, false);
  void* small2 = pool.take(4096, false);
  void* small3 = pool.take(4096, false);
  pool.give(small1, 4096);
  pool.give(small2, 4096);
  pool.give(small3, 4096);
  CHECK(pool.stats().cached_bytes == 3 * 4096);
  // A block of another size still finds room: the older size's blocks make way.
  void* big = pool.take(8192, false);
  pool.give(big, 8192);
  CHECK(pool.stats().cached_bytes == 4096 + 8192);
  CHECK(pool.take(8192, false) == big);
  pool.give(big, 8192);
  // Larger than the whole cap: freed, not cached.
  void* huge = pool.take(16 * 4096, false);
  pool.give(huge, 16 * 4096);
  CHECK(pool.stats().cached_bytes == 4096 + 8192);
  CHECK(pool.stats().lent_bytes == 0);
}

TEST(set_cap_and_empty) {
  BlockPool pool(1 << 20);
  std::vector<void*> blocks;
  for (int i = 0; i < 8; ++i) blocks.push_back(pool.take(4096, false));
  for (void* b : blocks) pool.give(b, 4096);
  CHECK(pool.stats().cached_bytes == 8 * 4096);
  CHECK(pool.set_cap(2 * 4096) == (1u << 20));
  CHECK(pool.stats().cached_bytes == 2 * 4096);
  pool.empty();
  CHECK(pool.stats().cached_bytes == 0);
  CHECK(pool.set_cap(0) == 2 * 4096);
  void* a = pool.take(4096, false);
  pool.give(a, 4096);  // cap 0: freed at once
  CHECK(pool.stats().cached_bytes == 0);
}

TEST(threads_take_and_give_concurrently) {
  BlockPool pool(64 * 16384);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&pool, t] {
      for (int i = 0; i < 2000; ++i) {
        const size_t bytes = 16384 * static_cast<size_t>(1 + (i + t) % 3);
        auto* p = static_cast<unsigned char*>(pool.take(bytes, (i & 1) != 0));
        p[0] = static_cast<unsigned char>(t);
        p[bytes - 1] = static_cast<unsigned char>(i);
        pool.give(p, bytes);
      }
    });
  for (auto& th : threads) th.join();
  const BlockPoolStats s = pool.stats();
  CHECK(s.lent_bytes == 0);
  CHECK(s.from_cache + s.fresh == 4 * 2000);
  CHECK(s.given_back == 4 * 2000);
  CHECK(s.cached_bytes <= s.cap_bytes);
}

TEST(process_pool_is_one_instance) { CHECK(&storage_pool() == &storage_pool()); }

TEST_MAIN()
