// Tensor storage from the native block pool (native/include/tapegrad/block_pool.h), lent to
// JavaScript as external ArrayBuffers.
//
// A block comes back to the pool in one of two ways:
//   - giveBlock(buffer): the library knows the storage is dead (dispose); the buffer is detached, so
//     any view left over reads as empty instead of seeing the block's next tenant;
//   - the collector frees the ArrayBuffer: its finalizer gives the block back. The module is built
//     against experimental Node-API so that this finalizer is a "basic" one, which Node runs during
//     the collection itself; an ordinary finalizer would wait for the event loop, which never turns
//     inside a synchronous training loop, and the pool would never see its blocks again.
// Node marks external ArrayBuffers untransferable, so no other thread can come to own a lent block.
#include <napi.h>

#include <atomic>

#include "args.h"
#include "plan.h"
#include "tapegrad/block_pool.h"

namespace tapegrad_binding {
namespace {

// Lending stops beyond this many outstanding bytes (takeBlock returns undefined and JavaScript
// allocates the storage itself): a guard for a Node whose collector defers finalizers, where dead
// blocks would otherwise pile up until the event loop turns.
constexpr size_t kMaxLentBytes = size_t{1} << 30;

// Blocks given back by the collector (every thread's; the pool is the process's).
std::atomic<uint64_t> g_collected{0};

struct Loan {
  void* block;
  size_t bytes;
};

void on_buffer_collected(node_api_basic_env /*env*/, void* data, void* /*hint*/) {
  Loan* loan = static_cast<Loan*>(data);
  tapegrad::storage_pool().give(loan->block, loan->bytes);
  delete loan;
  g_collected.fetch_add(1, std::memory_order_relaxed);
}

void check(Napi::Env env, napi_status status, const char* what) {
  if (status != napi_ok) throw Napi::Error::New(env, std::string(what) + " failed");
}

// takeBlock(bytes, zeroed): an ArrayBuffer of exactly `bytes` over a pooled block, or undefined when
// the pool cannot lend (no memory, external buffers not allowed, or the lending guard above).
Napi::Value take_block(const Napi::CallbackInfo& info) {
  require_count(info, "takeBlock", 2);
  const size_t bytes = static_cast<size_t>(get_int(info, "takeBlock", 0, 1, int64_t{1} << 40));
  const bool zeroed = get_bool(info, "takeBlock", 1);
  Napi::Env env = info.Env();
  tapegrad::BlockPool& pool = tapegrad::storage_pool();
  if (pool.stats().lent_bytes > kMaxLentBytes) return env.Undefined();
  void* block = pool.take(bytes, zeroed);
  if (block == nullptr) return env.Undefined();
  napi_value buffer;
  if (napi_create_external_arraybuffer(env, block, bytes, nullptr, nullptr, &buffer) != napi_ok) {
    // napi_no_external_buffers_allowed (a runtime with a memory sandbox): the caller falls back.
    pool.give(block, bytes);
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (pending) {
      napi_value ignored;
      napi_get_and_clear_last_exception(env, &ignored);
    }
    return env.Undefined();
  }
  Loan* loan = new Loan{block, bytes};
  const napi_status wrapped = napi_wrap(env, buffer, loan, on_buffer_collected, nullptr, nullptr);
  if (wrapped != napi_ok) {
    delete loan;
    // The buffer cannot be tracked, so it must never see the block again: detach it first.
    napi_detach_arraybuffer(env, buffer);
    pool.give(block, bytes);
    check(env, wrapped, "takeBlock: napi_wrap");
  }
  return Napi::Value(env, buffer);
}

// giveBlock(buffer): detaches a buffer from takeBlock and returns its block to the pool at once;
// false (doing nothing) for any other value, and for a buffer a plan is using on a libuv thread
// (planRunAsync, binding/plan.cc): that block goes back when the buffer is collected, after the plan
// lets go of it, and is never handed to a new tensor while the plan still writes it.
Napi::Value give_block(const Napi::CallbackInfo& info) {
  require_count(info, "giveBlock", 1);
  Napi::Env env = info.Env();
  const Napi::Value v = info[0];
  if (!v.IsArrayBuffer()) return Napi::Boolean::New(env, false);
  if (pinned_by_running_plan(v.As<Napi::ArrayBuffer>().Data())) return Napi::Boolean::New(env, false);
  void* data = nullptr;
  // napi_remove_wrap fails for a buffer this module did not lend (or already took back).
  if (napi_remove_wrap(env, v, &data) != napi_ok || data == nullptr) return Napi::Boolean::New(env, false);
  Loan* loan = static_cast<Loan*>(data);
  check(env, napi_detach_arraybuffer(env, v), "giveBlock: napi_detach_arraybuffer");
  tapegrad::storage_pool().give(loan->block, loan->bytes);
  delete loan;
  return Napi::Boolean::New(env, true);
}

Napi::Value block_pool_stats(const Napi::CallbackInfo& info) {
  const tapegrad::BlockPoolStats s = tapegrad::storage_pool().stats();
  Napi::Object out = Napi::Object::New(info.Env());
  out.Set("cachedBytes", static_cast<double>(s.cached_bytes));
  out.Set("lentBytes", static_cast<double>(s.lent_bytes));
  out.Set("capBytes", static_cast<double>(s.cap_bytes));
  out.Set("fromCache", static_cast<double>(s.from_cache));
  out.Set("fresh", static_cast<double>(s.fresh));
  out.Set("givenBack", static_cast<double>(s.given_back));
  out.Set("collected", static_cast<double>(g_collected.load(std::memory_order_relaxed)));
  return out;
}

Napi::Value empty_block_cache(const Napi::CallbackInfo& info) {
  tapegrad::storage_pool().empty();
  return info.Env().Undefined();
}

// setBlockCacheCap(bytes): returns the previous cap.
Napi::Value set_block_cache_cap(const Napi::CallbackInfo& info) {
  require_count(info, "setBlockCacheCap", 1);
  const int64_t bytes = get_int(info, "setBlockCacheCap", 0, 0, int64_t{1} << 50);
  return Napi::Number::New(info.Env(),
                           static_cast<double>(tapegrad::storage_pool().set_cap(static_cast<size_t>(bytes))));
}

}  // namespace

void register_memory(Napi::Env env, Napi::Object exports) {
  exports.Set("takeBlock", Napi::Function::New(env, take_block, "takeBlock"));
  exports.Set("giveBlock", Napi::Function::New(env, give_block, "giveBlock"));
  exports.Set("blockPoolStats", Napi::Function::New(env, block_pool_stats, "blockPoolStats"));
  exports.Set("emptyBlockCache", Napi::Function::New(env, empty_block_cache, "emptyBlockCache"));
  exports.Set("setBlockCacheCap", Napi::Function::New(env, set_block_cache_cap, "setBlockCacheCap"));
}

}  // namespace tapegrad_binding
