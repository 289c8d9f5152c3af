#pragma once
// What every fuzz target shares (docs/fuzzing.md): how one input holds several
// items, what counts as a finding, and how a finding is reported.
//
// A target treats the documented error of its parser (sim::InputError, the
// router's 4xx) as a correct answer. Anything else — another exception, a
// crash, a sanitizer report, a hang, or a broken invariant checked here — is a
// finding: it is printed with a "coordsim-fuzz: finding:" line and the process
// aborts, which libFuzzer records as a crash and the regression driver
// (replay_main.cpp) as a failed CTest.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

namespace coordsim::fuzz {

// The input as text (bytes, not necessarily UTF-8).
inline std::string_view text_of(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Several items in one input (shard files, --set arguments, HTTP requests) are
// separated by the ASCII record separator 0x1E, as in JSON text sequences
// (RFC 7464): JSON cannot contain it raw, and a shell argument rarely does.
inline constexpr char kSeparator = '\x1e';

inline std::vector<std::string_view> split_records(std::string_view text, std::size_t max_records = 64) {
  std::vector<std::string_view> out;
  while (out.size() + 1 < max_records) {
    const auto at = text.find(kSeparator);
    if (at == std::string_view::npos) break;
    out.push_back(text.substr(0, at));
    text.remove_prefix(at + 1);
  }
  out.push_back(text);
  return out;
}

// COORDSIM_FUZZ_IGNORE="text|other text": a finding whose description or
// detail contains one of these is ignored (the input counts as fine). For
// looking past a known bug while its fix is pending (docs/fuzzing.md); never
// set in CI. Crashes and sanitizer reports cannot be ignored.
inline bool ignored(std::string_view message) {
  static const std::vector<std::string> patterns = [] {
    std::vector<std::string> out;
    if (const char* v = std::getenv("COORDSIM_FUZZ_IGNORE")) {
      std::string_view rest = v;
      while (!rest.empty()) {
        const auto bar = rest.find('|');
        if (bar != 0) out.emplace_back(rest.substr(0, bar));
        if (bar == std::string_view::npos) break;
        rest.remove_prefix(bar + 1);
      }
    }
    return out;
  }();
  for (const std::string& p : patterns)
    if (message.find(p) != std::string_view::npos) return true;
  return false;
}

// Thrown by finding() for an ignored finding; run_target() catches it.
struct Ignored {};

[[noreturn]] inline void finding(std::string_view what, std::string_view detail = {}) {
  if (ignored(what) || ignored(detail)) throw Ignored{};
  std::fprintf(stderr, "coordsim-fuzz: finding: %.*s%s%.*s\n", static_cast<int>(what.size()), what.data(),
               detail.empty() ? "" : ": ", static_cast<int>(detail.size()), detail.data());
  std::fflush(stderr);
  std::abort();
}

inline void require(bool ok, std::string_view what, std::string_view detail = {}) {
  if (!ok) finding(what, detail);
}

// A message a user should never see: a library's own words instead of one
// that says where the problem is and what was expected. A marker the input
// itself contains does not count (messages quote the input).
inline bool raw_library_message(std::string_view message, std::string_view input = {}) {
  for (std::string_view marker : {"[json.exception", "bad_alloc", "terminate called", "what():", "basic_string",
                                  "vector::", "_M_", "map::at", "bad_optional_access", "bad_variant_access",
                                  "stoi", "stoll", "stod", "Assertion"})
    if (message.find(marker) != std::string_view::npos && input.find(marker) == std::string_view::npos) return true;
  return false;
}

// COORDSIM_FUZZ_STRICT=1: a documented error whose message is a raw library
// message is a finding too (off by default: the error is still the documented
// kind, and the fuzzer would stop at the first such message instead of
// looking for crashes).
inline bool strict_messages() {
  static const bool strict = [] {
    const char* v = std::getenv("COORDSIM_FUZZ_STRICT");
    return v && *v && std::string_view(v) != "0";
  }();
  return strict;
}

inline void documented_error(const std::exception& e, std::string_view input) {
  if (strict_messages() && raw_library_message(e.what(), input))
    finding("raw library message in an input error", e.what());
}

// Runs `body`; an exception it lets out that is not `Documented` is a finding.
// `input` is what the messages may quote.
template <class Documented, class Body>
void expect_only(std::string_view input, Body&& body) {
  try {
    body();
  } catch (const Documented& e) {
    documented_error(e, input);
  } catch (const Ignored&) {
    throw;
  } catch (const std::exception& e) {
    finding("undocumented exception", e.what());
  } catch (...) {
    finding("non-std exception");
  }
}

// The body of every LLVMFuzzerTestOneInput.
template <class Body>
int run_target(Body&& body) {
  try {
    body();
  } catch (const Ignored&) {
  }
  return 0;
}

}  // namespace coordsim::fuzz
