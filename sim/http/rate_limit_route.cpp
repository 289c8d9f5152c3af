#include "sim/http/routes.hpp"

namespace coordsim::sim::http {

using agent::Endpoint;
using nlohmann::json;

Reply rate_limit_route(ServeState& st, const Call& call) {
  const std::int64_t epoch = st.options.unix_epoch_us;
  if (st.budgets.scenario) {
    sim::RateLimiter& l = st.budgets.scenario->latest(call.client, call.now);
    l.advance(call.now);
    const auto resource = [&](Endpoint e) {
      const sim::RateLimitHeaders h = l.headers(e);
      return json{{"limit", h.limit},
                  {"remaining", h.remaining},
                  {"reset", unix_s_ceil(epoch, h.reset)},
                  {"used", h.used},
                  {"resource", h.resource}};
    };
    const json core = resource(Endpoint::get_issue);
    return {200,
            {{"resources", {{"core", core}, {"search", resource(Endpoint::search_issues)}}}, {"rate", core}},
            {}};
  }
  const auto resource = [](const RateStatus& s) {
    return json{{"limit", s.limit},
                {"remaining", s.remaining},
                {"reset", s.reset_unix_s},
                {"used", s.used},
                {"resource", s.resource}};
  };
  const std::int64_t now_s = unix_s(epoch, call.now);
  const json core = resource(st.budgets.token_limits.peek(call.client, RateResource::core, now_s));
  const json search = resource(st.budgets.token_limits.peek(call.client, RateResource::search, now_s));
  return {200, {{"resources", {{"core", core}, {"search", search}}}, {"rate", core}}, {}};
}

}  // namespace coordsim::sim::http
