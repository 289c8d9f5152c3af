# embed_file(TARGET_SOURCES_VAR SYMBOL FILE): compiles FILE into the binary as
# `extern const std::string_view SYMBOL` (namespace coordsim::embedded), so the
# program needs no installed data files (the default scenario, the JSON Schema).
function(embed_file out_var symbol file)
  set(out "${CMAKE_CURRENT_BINARY_DIR}/embedded_${symbol}.cpp")
  add_custom_command(
    OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND} -DIN=${file} -DOUT=${out} -DSYMBOL=${symbol}
            -P "${PROJECT_SOURCE_DIR}/cmake/EmbedFileScript.cmake"
    DEPENDS "${file}" "${PROJECT_SOURCE_DIR}/cmake/EmbedFileScript.cmake"
    COMMENT "Embedding ${file}")
  set(${out_var} ${${out_var}} "${out}" PARENT_SCOPE)
endfunction()
