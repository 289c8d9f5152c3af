# Reads IN as hex so any byte (quotes, backslashes, ")" sequences) survives.
file(READ "${IN}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," body "${hex}")
file(WRITE "${OUT}" "#include <string_view>\nnamespace coordsim::embedded {\nstatic const char ${SYMBOL}_data[] = {${body} 0};\nextern const std::string_view ${SYMBOL}(${SYMBOL}_data, sizeof(${SYMBOL}_data) - 1);\n}\n")
