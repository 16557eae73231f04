# The `bench` smoke test (cmake -DBENCH=<bench_engine> -P smoke_test.cmake): a very
# short run must exit 0 and print every ratio line. No timing is asserted.
# (add_test's PASS_REGULAR_EXPRESSION alone would ignore the exit code.)
execute_process(COMMAND "${BENCH}" --benchmark_min_time=0.01
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${BENCH} exited with ${rc}")
endif()
foreach(line IN ITEMS
    "ratio classic / baseline *= *[0-9.]+x"
    "ratio openresty / baseline *= *[0-9.]+x"
    "ratio sealed / baseline *= *[0-9.]+x"
    "ratio sealed / classic *= *[0-9.]+x"
    "ratio cache-off / cache-on *= *[0-9.]+x"
    "ratio classic / ngx_sequence classic *= *[0-9.]+x"
    "ratio openresty / ngx_sequence openresty *= *[0-9.]+x"
    "ratio sealed / ngx_sequence classic *= *[0-9.]+x"
    "ratio fresh_vm sealed / plain_vm *= *[0-9.]+x")
  if(NOT out MATCHES "${line}")
    message(FATAL_ERROR "${BENCH}: no line matching '${line}'")
  endif()
endforeach()
