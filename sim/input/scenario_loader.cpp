// Scenario loading: parse (document_parse), --set overrides (set_override),
// schema validation (schema_validation, worded by schema_reader), conversion
// (scenario_convert). Every step's error names the source.
#include "sim/input/scenario_loader.hpp"

#include "sim/input/document_parse.hpp"
#include "sim/input/document_pointer.hpp"
#include "sim/input/json_text.hpp"
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
  return load_scenario_text(read_input_file(path, "scenario file"), path, sets);
}

ScenarioFile load_default_scenario(const std::vector<std::string>& sets) {
  return load_scenario_text(embedded::seed_reproduction, kEmbeddedSource, sets);
}

}  // namespace coordsim::sim
