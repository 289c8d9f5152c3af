#pragma once
// Per-thread free lists for coroutine frames, by 64-byte size class. Frames are
// the only per-call allocation of a protocol; recycling them keeps a simulated
// trial allocation-free after warm-up. Frames are always freed on the thread
// that allocated them (a trial, and an agent run, stay on one thread).
#include <cstddef>

namespace coordsim::agent::frame_pool {

void* allocate(std::size_t size);
void deallocate(void* p, std::size_t size) noexcept;

}  // namespace coordsim::agent::frame_pool
