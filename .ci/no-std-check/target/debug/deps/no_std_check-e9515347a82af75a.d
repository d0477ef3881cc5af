/work/main/.ci/no-std-check/target/debug/deps/no_std_check-e9515347a82af75a.d: src/lib.rs

/work/main/.ci/no-std-check/target/debug/deps/libno_std_check-e9515347a82af75a.rlib: src/lib.rs

/work/main/.ci/no-std-check/target/debug/deps/libno_std_check-e9515347a82af75a.rmeta: src/lib.rs

src/lib.rs:
