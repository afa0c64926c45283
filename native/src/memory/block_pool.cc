#include "tapegrad/block_pool.h"

#include <cstdlib>
#include <cstring>

namespace tapegrad {

BlockPool::BlockPool(size_t cap_bytes) { stats_.cap_bytes = cap_bytes; }

BlockPool::~BlockPool() { empty(); }

void* BlockPool::take(size_t bytes, bool zeroed) {
  if (bytes == 0) return nullptr;
  const size_t size = rounded(bytes);
  void* block = nullptr;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    SizeClass& cls = free_by_size_[size];
    cls.last_use = ++tick_;
    if (!cls.blocks.empty()) {
      block = cls.blocks.back();
      cls.blocks.pop_back();
      stats_.cached_bytes -= size;
      stats_.from_cache++;
    }
  }
  const bool reused = block != nullptr;
  if (!reused) {
    block = std::aligned_alloc(kAlignment, size);
    if (block == nullptr) return nullptr;
  }
  // A fresh block from aligned_alloc may be recycled heap memory too, so both paths clear it.
  if (zeroed) std::memset(block, 0, size);
  std::lock_guard<std::mutex> lock(mutex_);
  if (!reused) stats_.fresh++;
  stats_.lent_bytes += size;
  return block;
}

void BlockPool::give(void* block, size_t bytes) {
  if (block == nullptr) return;
  const size_t size = rounded(bytes);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stats_.lent_bytes -= size;
    stats_.given_back++;
    if (size <= stats_.cap_bytes) {
      evict_locked(size);
      SizeClass& cls = free_by_size_[size];
      cls.last_use = ++tick_;
      cls.blocks.push_back(block);
      stats_.cached_bytes += size;
      return;
    }
  }
  std::free(block);
}

void BlockPool::evict_locked(size_t needed) {
  while (stats_.cached_bytes + needed > stats_.cap_bytes) {
    SizeClass* oldest = nullptr;
    size_t oldest_size = 0;
    for (auto& entry : free_by_size_) {
      if (entry.second.blocks.empty()) continue;
      if (oldest == nullptr || entry.second.last_use < oldest->last_use) {
        oldest = &entry.second;
        oldest_size = entry.first;
      }
    }
    if (oldest == nullptr) return;
    // The front of a class is its coldest block.
    std::free(oldest->blocks.front());
    oldest->blocks.erase(oldest->blocks.begin());
    stats_.cached_bytes -= oldest_size;
  }
}

void BlockPool::empty_locked() {
  for (auto& entry : free_by_size_)
    for (void* block : entry.second.blocks) std::free(block);
  free_by_size_.clear();
  stats_.cached_bytes = 0;
}

void BlockPool::empty() {
  std::lock_guard<std::mutex> lock(mutex_);
  empty_locked();
}

size_t BlockPool::set_cap(size_t cap_bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  const size_t previous = stats_.cap_bytes;
  stats_.cap_bytes = cap_bytes;
  evict_locked(0);
  return previous;
}

BlockPoolStats BlockPool::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

BlockPool& storage_pool() {
  // The JavaScript side sets the cap at load (TAPEGRAD_POOL_CAP_MB); 256 MiB until then.
  static BlockPool* pool = new BlockPool(size_t{256} << 20);
  return *pool;
}

}  // namespace tapegrad
