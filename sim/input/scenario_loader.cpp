// Scenario loading: parse (document_parse), --set overrides (set_override),
// schema validation (schema_validation, worded by schema_reader), conversion
// (scenario_convert). Every step's error names the source.
#include "sim/input/scenario_loader.hpp"

#include <cerrno>
#include <cstdio>
#include <memory>
#include <system_error>

#include "sim/input/document_parse.hpp"
#include "sim/input/document_pointer.hpp"
#include "sim/input/scenario_convert.hpp"
#include "sim/input/schema_validation.hpp"
#include "sim/input/set_override.hpp"

// Generated at build time from scenarios/ by cmake/EmbedFile.cmake.
namespace coordsim::embedded {
extern const std::string_view seed_reproduction;
}  // namespace coordsim::embedded

namespace coordsim::sim {
namespace {

using nlohmann::json;
using loader::SetLog;

ScenarioFile build(const json& doc, const std::string& source, const SetLog& sets) {
  if (auto problem = loader::find_problem(doc)) loader::fail(source, problem->pointer, problem->message, sets);
  ScenarioFile s;
  try {
    s = loader::convert(doc);
  } catch (const InputError& e) {
    loader::fail(source, e.where(), loader::message_of(e), sets);
  }
  s.source = source;
  s.document = doc;
  return s;
}

std::string read_file(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                       &std::fclose);
  if (!file) {
    throw InputError(path, "cannot open scenario file: " + std::generic_category().message(errno));
  }
  std::string text;
  char buffer[1 << 16];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) text.append(buffer, n);
  if (std::ferror(file.get())) {
    // A directory opens fine and fails here, with EISDIR.
    throw InputError(path, "cannot read scenario file: " + std::generic_category().message(errno));
  }
  return text;
}

}  // namespace

void apply_set(nlohmann::json& doc, std::string_view assignment) { loader::apply_set_at(doc, assignment); }

ScenarioFile scenario_from_json(const nlohmann::json& doc, const std::string& source) {
  return build(doc, source, {});
}

void validate_scenario(const nlohmann::json& doc, const std::string& source) {
  if (auto problem = loader::find_problem(doc)) loader::fail(source, problem->pointer, problem->message, {});
}

const nlohmann::json& scenario_schema() { return loader::schema_document(); }

ScenarioFile load_scenario_text(std::string_view text, const std::string& source,
                            const std::vector<std::string>& sets) {
  json doc = loader::parse_document(text, source);
  SetLog log;
  for (const std::string& set : sets) log.emplace_back(loader::apply_set_at(doc, set), set);
  return build(doc, source, log);
}

ScenarioFile load_scenario_file(const std::string& path, const std::vector<std::string>& sets) {
  return load_scenario_text(read_file(path), path, sets);
}

ScenarioFile load_default_scenario(const std::vector<std::string>& sets) {
  return load_scenario_text(embedded::seed_reproduction, kEmbeddedSource, sets);
}

}  // namespace coordsim::sim
