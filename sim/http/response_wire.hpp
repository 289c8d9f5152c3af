#pragma once
// A Response as the bytes that go on the wire: status line, header fields and
// body in one string, for one socket write.
//
// Why not Beast's serializer: under wrk, `GET /user` spent ~25% of the
// server's instructions in the serializer's buffer-sequence iterators and
// field bookkeeping (callgrind, 4,263 requests: buffers_cat_view/buffers_suffix
// iteration and basic_fields::set_element). The bytes are the ones Beast wrote
// (tests/sim/http/test_response_wire.cpp compares both), so clients see no change.
#include <string>

#include "sim/http/message.hpp"

namespace coordsim::sim::http {

// `version` is the request's (10 or 11). `keep_alive`: whether the connection
// stays open (HTTP/1.1 says "Connection: close" when not, HTTP/1.0
// "Connection: keep-alive" when so). `head`: the answer to a HEAD, the GET's
// header fields, its Content-Length included, without the body. A header the
// response names twice is sent once, with its last value, in the position of
// that last value (as Beast's `set` did).
std::string wire_response(Response&& response, unsigned version, bool keep_alive, bool head);

}  // namespace coordsim::sim::http
