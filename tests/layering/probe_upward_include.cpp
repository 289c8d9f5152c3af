// Compiled by CTest `layering.include_roots` with only the model layer's
// include roots: it must fail with "No such file", because a layer cannot
// even see the headers of the layers above it (cmake/Layers.cmake). The
// model header comes first: it must be found (the positive control).
#include "sim/model/github_model.hpp"
#include "sim/engine/event_loop.hpp"
