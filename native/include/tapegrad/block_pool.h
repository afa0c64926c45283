// Storage blocks for tensors, cached by size so that a block freed by one op is handed to the next
// while its pages are still mapped and warm.
//
// Why: a freshly mapped page costs a fault and a zero-fill on first touch, which for a 256 KiB
// output can take longer than the matrix product that writes it. The JavaScript side lends these
// blocks out as external ArrayBuffers and gives them back when the collector frees their owner (or
// at once, on dispose); see docs/ARCHITECTURE.md, "The memory model".
//
// One pool serves the whole process (every worker thread's module instance), so it is locked; the
// lock is held only for a free-list push or pop.
#pragma once
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace tapegrad {

struct BlockPoolStats {
  size_t cached_bytes = 0;  // free blocks kept for reuse
  size_t lent_bytes = 0;    // blocks handed out and not yet given back
  size_t cap_bytes = 0;     // the most bytes the cache keeps
  uint64_t from_cache = 0;  // takes served by a cached block
  uint64_t fresh = 0;       // takes that allocated a new block
  uint64_t given_back = 0;  // blocks returned (cached or, over the cap, freed)
};

class BlockPool {
 public:
  // Blocks are aligned to a cache line, so that kernels' vector loads never split one.
  static constexpr size_t kAlignment = 64;

  explicit BlockPool(size_t cap_bytes);
  ~BlockPool();
  BlockPool(const BlockPool&) = delete;
  BlockPool& operator=(const BlockPool&) = delete;

  // A block of at least `bytes` (rounded up to kAlignment), zero-filled when `zeroed`; nullptr when
  // the system has no memory for it (or bytes is 0).
  void* take(size_t bytes, bool zeroed);
  // Gives a block from take(bytes, ...) back to the cache. When that would pass the cap, blocks of the
  // size least recently asked for are freed first (a cache full of one size must not turn every
  // block of another size away); a block larger than the whole cap is freed.
  void give(void* block, size_t bytes);
  // Frees every cached block.
  void empty();
  // Sets the cache's cap (evicting as give() does if the cache now exceeds it); returns the previous cap.
  size_t set_cap(size_t cap_bytes);
  BlockPoolStats stats() const;

 private:
  static size_t rounded(size_t bytes) { return (bytes + kAlignment - 1) / kAlignment * kAlignment; }
  void empty_locked();
  // Frees cached blocks, least recently used size first, until `needed` more bytes fit under the cap.
  void evict_locked(size_t needed);

  struct SizeClass {
    std::vector<void*> blocks;  // taken from the back: the most recently given is the warmest
    uint64_t last_use = 0;      // tick of the last take or give of this size
  };
  mutable std::mutex mutex_;
  std::unordered_map<size_t, SizeClass> free_by_size_;
  uint64_t tick_ = 0;
  BlockPoolStats stats_;
};

// The process-wide pool for tensor storage (never destroyed, so that a finalizer running during a
// worker's teardown at exit can still give its block back).
BlockPool& storage_pool();

}  // namespace tapegrad
