#include "agent/frame_pool.hpp"

#include <array>
#include <new>

namespace coordsim::agent::frame_pool {
namespace {

constexpr std::size_t kGranule = 64;
constexpr std::size_t kClasses = 32;  // frames up to 2 KiB are pooled

struct FreeNode {
  FreeNode* next;
};

struct Pool {
  std::array<FreeNode*, kClasses> heads{};
  ~Pool() {
    for (FreeNode* head : heads) {
      while (head) {
        FreeNode* next = head->next;
        ::operator delete(head);
        head = next;
      }
    }
  }
};

thread_local Pool pool;

constexpr std::size_t size_class(std::size_t size) { return (size + kGranule - 1) / kGranule; }

}  // namespace

void* allocate(std::size_t size) {
  const std::size_t c = size_class(size);
  if (c >= kClasses) return ::operator new(size);
  if (FreeNode* node = pool.heads[c]) {
    pool.heads[c] = node->next;
    return node;
  }
  return ::operator new(c * kGranule);
}

void deallocate(void* p, std::size_t size) noexcept {
  const std::size_t c = size_class(size);
  if (c >= kClasses) {
    ::operator delete(p);
    return;
  }
  auto* node = static_cast<FreeNode*>(p);
  node->next = pool.heads[c];
  pool.heads[c] = node;
}

}  // namespace coordsim::agent::frame_pool
