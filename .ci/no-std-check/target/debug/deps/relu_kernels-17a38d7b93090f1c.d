/work/main/.ci/no-std-check/target/debug/deps/relu_kernels-17a38d7b93090f1c.d: /work/main/src/lib.rs /work/main/src/check.rs /work/main/src/element.rs /work/main/src/entry_points.rs /work/main/src/kernel.rs /work/main/src/kernels.rs /work/main/src/level.rs /work/main/src/ops.rs /work/main/src/parallel/mod.rs /work/main/src/vector.rs /work/main/src/x86.rs /work/main/src/scalar.rs /work/main/src/simd.rs

/work/main/.ci/no-std-check/target/debug/deps/librelu_kernels-17a38d7b93090f1c.rlib: /work/main/src/lib.rs /work/main/src/check.rs /work/main/src/element.rs /work/main/src/entry_points.rs /work/main/src/kernel.rs /work/main/src/kernels.rs /work/main/src/level.rs /work/main/src/ops.rs /work/main/src/parallel/mod.rs /work/main/src/vector.rs /work/main/src/x86.rs /work/main/src/scalar.rs /work/main/src/simd.rs

/work/main/.ci/no-std-check/target/debug/deps/librelu_kernels-17a38d7b93090f1c.rmeta: /work/main/src/lib.rs /work/main/src/check.rs /work/main/src/element.rs /work/main/src/entry_points.rs /work/main/src/kernel.rs /work/main/src/kernels.rs /work/main/src/level.rs /work/main/src/ops.rs /work/main/src/parallel/mod.rs /work/main/src/vector.rs /work/main/src/x86.rs /work/main/src/scalar.rs /work/main/src/simd.rs

/work/main/src/lib.rs:
/work/main/src/check.rs:
/work/main/src/element.rs:
/work/main/src/entry_points.rs:
/work/main/src/kernel.rs:
/work/main/src/kernels.rs:
/work/main/src/level.rs:
/work/main/src/ops.rs:
/work/main/src/parallel/mod.rs:
/work/main/src/vector.rs:
/work/main/src/x86.rs:
/work/main/src/scalar.rs:
/work/main/src/simd.rs:
