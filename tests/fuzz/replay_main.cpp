// The driver for builds without libFuzzer (GCC, the Release and the ASan +
// UBSan builds): links with a fuzz target's LLVMFuzzerTestOneInput and takes
// libFuzzer's command-line form, so scripts/fuzz.sh runs either alike.
//
//   fuzz_where FILE|DIR...          replay: run each file once (a directory:
//                                   each regular file in it, sorted); CTest's
//                                   fuzz.regression.<target>
//   fuzz_where -max_total_time=60 [-runs=N] [-seed=N] [-dict=FILE] [-max_len=N]
//              [-timeout=S] [-artifact_prefix=P] DIR...
//                                   mutate: random byte-level and dictionary
//                                   mutations of the inputs for that long
//
// Mutation without coverage guidance finds what is near the seeds (a number
// out of range, a truncated document, a stray byte); libFuzzer's coverage-guided
// search (-DCOORDSIM_FUZZ=ON) goes deeper. Before each run the input is written
// to P + "current-input", so when a finding kills the process that file is the
// reproducer (scripts/fuzz.sh renames it crash-<sha1>); a run longer than
// -timeout seconds exits 70 with the input kept the same way. Other libFuzzer
// flags are accepted and ignored. COORDSIM_FUZZ_CANARY plants a finding
// (check_canary) for testing the scripts around it.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

struct Options {
  double max_total_time = 0;  // 0: replay
  long long runs = -1;
  std::uint64_t seed = 0;
  std::size_t max_len = 16384;
  unsigned timeout = 0;
  std::string dict, artifact_prefix;
  std::vector<std::string> inputs;
};

std::string read_file(const fs::path& p, bool& ok) {
  std::ifstream in(p, std::ios::binary);
  ok = static_cast<bool>(in);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<fs::path> files_of(const std::vector<std::string>& inputs) {
  std::vector<fs::path> files;
  for (const std::string& a : inputs) {
    const fs::path p = a;
    if (fs::is_directory(p)) {
      std::vector<fs::path> in;
      for (const auto& e : fs::directory_iterator(p))
        if (e.is_regular_file()) in.push_back(e.path());
      std::sort(in.begin(), in.end());
      files.insert(files.end(), in.begin(), in.end());
    } else {
      files.push_back(p);
    }
  }
  return files;
}

// libFuzzer's dictionary format: one "token" a line (name= before it allowed),
// with \\, \" and \xNN escapes; # starts a comment.
std::vector<std::string> read_dict(const std::string& path) {
  std::vector<std::string> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    const auto open = line.find('"');
    const auto close = line.rfind('"');
    if (line.empty() || line[0] == '#' || open == std::string::npos || close <= open) continue;
    std::string token;
    for (std::size_t i = open + 1; i < close; ++i) {
      if (line[i] == '\\' && i + 1 < close) {
        const char c = line[++i];
        if (c == 'x' && i + 2 < close) {
          token += static_cast<char>(std::stoi(line.substr(i + 1, 2), nullptr, 16));
          i += 2;
        } else {
          token += c;
        }
      } else {
        token += line[i];
      }
    }
    if (!token.empty()) out.push_back(token);
  }
  return out;
}

const char* const kInteresting[] = {"0", "-1", "1e400", "-1e400", "1e308", "4.9e-324", "-0", "NaN", "2147483648",
                                    "4294967296", "9223372036854775808", "18446744073709551616", "1e19", "0.5",
                                    "\"\"", "null", "[]", "{}", "true", "\\ud800", "\xff", "\xc3\x28"};

class Mutator {
 public:
  Mutator(std::uint64_t seed, std::vector<std::string> corpus, std::vector<std::string> dict, std::size_t max_len)
      : rng_(seed), corpus_(std::move(corpus)), dict_(std::move(dict)), max_len_(max_len) {}

  std::string next() {
    std::string s = corpus_.empty() ? std::string() : corpus_[below(corpus_.size())];
    const std::size_t rounds = 1 + below(2) + (below(4) == 0 ? below(8) : 0);
    for (std::size_t k = 0; k < rounds; ++k) mutate(s);
    if (s.size() > max_len_) s.resize(max_len_);
    return s;
  }

 private:
  std::size_t below(std::size_t n) { return n == 0 ? 0 : std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_); }
  std::size_t pos(const std::string& s) { return below(s.size() + 1); }
  std::string token() {
    if (!dict_.empty() && below(3) != 0) return dict_[below(dict_.size())];
    return kInteresting[below(std::size(kInteresting))];
  }

  void mutate(std::string& s) {
    switch (below(12)) {
      case 0:  // flip a bit
        if (!s.empty()) s[below(s.size())] ^= static_cast<char>(1u << below(8));
        break;
      case 1:  // set a byte
        if (!s.empty()) s[below(s.size())] = static_cast<char>(below(256));
        break;
      case 2:  // insert bytes
        s.insert(pos(s), 1 + below(4), static_cast<char>(below(256)));
        break;
      case 3:  // erase a range
        if (!s.empty()) {
          const std::size_t at = below(s.size());
          s.erase(at, 1 + below(std::min<std::size_t>(s.size() - at, 64)));
        }
        break;
      case 4:  // duplicate a range
        if (!s.empty()) {
          const std::size_t at = below(s.size());
          s.insert(pos(s), s.substr(at, 1 + below(64)));
        }
        break;
      case 5:
      case 6:  // insert a token
        s.insert(pos(s), token());
        break;
      case 7: {  // replace a number (or any run of digits) with a token
        std::vector<std::size_t> starts;
        for (std::size_t i = 0; i < s.size(); ++i)
          if (std::isdigit(static_cast<unsigned char>(s[i])) && (i == 0 || !std::isdigit(static_cast<unsigned char>(s[i - 1]))))
            starts.push_back(i);
        if (starts.empty()) break;
        const std::size_t at = starts[below(starts.size())];
        std::size_t end = at;
        while (end < s.size() && (std::isalnum(static_cast<unsigned char>(s[end])) || s[end] == '.' || s[end] == '-' ||
                                  s[end] == '+'))
          ++end;
        s.replace(at, end - at, token());
        break;
      }
      case 8:  // splice with another input
        if (!corpus_.empty()) {
          const std::string& other = corpus_[below(corpus_.size())];
          s = s.substr(0, pos(s)) + other.substr(below(other.size() + 1));
        }
        break;
      case 9:  // truncate
        s.resize(pos(s));
        break;
      case 10: {  // nest: the same opening bytes many times
        static const char* const opens[] = {"[", "{\"a\":", "(", "-", "!", "[[", "{\"dist\":"};
        const std::string open = opens[below(std::size(opens))];
        std::string run;
        for (std::size_t n = 1 + below(2000); n > 0; --n) run += open;
        s.insert(pos(s), run);
        break;
      }
      default:  // swap two bytes
        if (s.size() > 1) std::swap(s[below(s.size())], s[below(s.size())]);
        break;
    }
  }

  std::mt19937_64 rng_;
  std::vector<std::string> corpus_;
  std::vector<std::string> dict_;
  std::size_t max_len_;
};

int g_current_fd = -1;

// COORDSIM_FUZZ_CANARY=TEXT: an input holding TEXT is a finding. Only for
// checking that a finding fails the run that found it (.ci/run plants one
// before it fuzzes); never set otherwise.
void check_canary(const std::string& input) {
  static const char* const canary = std::getenv("COORDSIM_FUZZ_CANARY");
  if (canary && *canary && input.find(canary) != std::string::npos) {
    std::fprintf(stderr, "coordsim-fuzz: finding: the planted canary (COORDSIM_FUZZ_CANARY=%s)\n", canary);
    std::fflush(stderr);
    std::abort();
  }
}

void keep_input(const std::string& s) {
  if (g_current_fd < 0) return;
  if (::ftruncate(g_current_fd, 0) != 0 || ::pwrite(g_current_fd, s.data(), s.size(), 0) < 0) {
    std::perror("current-input");
  }
}

extern "C" void on_alarm(int) {
  static const char msg[] = "\ncoordsim-fuzz: finding: timeout (an input ran longer than -timeout; see current-input)\n";
  [[maybe_unused]] const auto n = ::write(2, msg, sizeof msg - 1);
  ::_exit(70);
}

int replay(const Options& o, const char* argv0) {
  const auto files = files_of(o.inputs);
  if (files.empty()) {
    std::fprintf(stderr, "usage: %s FILE|DIR...  (runs the fuzz target once on each file)\n", argv0);
    return 2;
  }
  for (const auto& f : files) {
    bool ok = false;
    const std::string bytes = read_file(f, ok);
    if (!ok) {
      std::fprintf(stderr, "%s: cannot read %s\n", argv0, f.c_str());
      return 2;
    }
    std::fprintf(stderr, "%s\n", f.c_str());
    if (o.timeout) ::alarm(o.timeout);
    check_canary(bytes);
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  }
  std::printf("%s: %zu inputs, no findings\n", argv0, files.size());
  return 0;
}

int fuzz(const Options& o, const char* argv0) {
  std::vector<std::string> corpus;
  for (const auto& f : files_of(o.inputs)) {
    bool ok = false;
    std::string s = read_file(f, ok);
    if (ok && s.size() <= o.max_len) corpus.push_back(std::move(s));
  }
  if (!o.artifact_prefix.empty()) {
    const std::string path = o.artifact_prefix + "current-input";
    g_current_fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (g_current_fd < 0) std::perror(path.c_str());
  }
  const std::uint64_t seed =
      o.seed ? o.seed : static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  std::fprintf(stderr, "%s: mutating %zu inputs for %.0f s (seed %llu, no coverage guidance)\n", argv0, corpus.size(),
               o.max_total_time, static_cast<unsigned long long>(seed));
  Mutator m(seed, std::move(corpus), o.dict.empty() ? std::vector<std::string>{} : read_dict(o.dict), o.max_len);
  const auto start = std::chrono::steady_clock::now();
  long long n = 0;
  double elapsed = 0;
  while ((o.runs < 0 || n < o.runs) && elapsed < o.max_total_time) {
    const std::string input = m.next();
    keep_input(input);
    if (o.timeout) ::alarm(o.timeout);
    check_canary(input);
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
    ++n;
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  if (g_current_fd >= 0) {
    ::close(g_current_fd);
    std::remove((o.artifact_prefix + "current-input").c_str());
  }
  std::fprintf(stderr, "stat::number_of_executed_units: %lld\nstat::average_exec_per_sec:     %.0f\n", n,
               elapsed > 0 ? static_cast<double>(n) / elapsed : 0.0);
  std::printf("%s: %lld inputs in %.0f s, no findings\n", argv0, n, elapsed);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    const auto value = [&](std::string_view flag) -> const char* {
      return a.substr(0, flag.size()) == flag ? argv[i] + flag.size() : nullptr;
    };
    if (const char* v = value("-max_total_time=")) o.max_total_time = std::atof(v);
    else if (const char* v2 = value("-runs=")) o.runs = std::atoll(v2);
    else if (const char* v3 = value("-seed=")) o.seed = std::strtoull(v3, nullptr, 10);
    else if (const char* v4 = value("-max_len=")) o.max_len = std::strtoull(v4, nullptr, 10);
    else if (const char* v5 = value("-timeout=")) o.timeout = static_cast<unsigned>(std::atoi(v5));
    else if (const char* v6 = value("-dict=")) o.dict = v6;
    else if (const char* v7 = value("-artifact_prefix=")) o.artifact_prefix = v7;
    else if (!a.empty() && a[0] == '-') continue;  // another libFuzzer flag
    else o.inputs.emplace_back(a);
  }
  if (o.timeout) std::signal(SIGALRM, on_alarm);
  if (o.runs > 0 && o.max_total_time == 0) o.max_total_time = 1e18;
  return o.max_total_time > 0 ? fuzz(o, argv[0]) : replay(o, argv[0]);
}
