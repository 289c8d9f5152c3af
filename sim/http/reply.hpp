#pragma once
// A route's answer before it becomes a Response: status, JSON body, the
// headers it adds (after the rate-limit headers), and GitHub's error shapes.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/http/message.hpp"
#include "sim/http/rest_render.hpp"

namespace coordsim::sim::http {

struct Reply {
  int status = 200;
  nlohmann::json body;  // a binary value: JSON text rendered already (raw_body), sent as it is
  std::vector<Header> headers;
  std::optional<std::string> raw;  // sent as is instead of `body` (contents with Accept: …raw)

  Reply() = default;
  Reply(int s, nlohmann::json b, std::vector<Header> h = {})
      : status(s), body(std::move(b)), headers(std::move(h)) {}
};

// A body that is JSON text already (concatenated from cached renderings).
inline nlohmann::json raw_body(const std::string& text) {
  return nlohmann::json::binary(std::vector<std::uint8_t>(text.begin(), text.end()));
}

inline Reply error(int status, std::string_view message) { return {status, error_json(message), {}}; }
inline Reply not_found() { return error(404, "Not Found"); }
inline Reply invalid(std::string_view resource, std::string_view field, std::string_view code,
                     std::string_view message = {}) {
  return {422, validation_failed(resource, field, code, message), {}};
}

}  // namespace coordsim::sim::http
