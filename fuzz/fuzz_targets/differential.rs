//! Differential fuzzing: arbitrary bytes become an element type (`f32`,
//! `f64`, `f16` or `bf16`), a buffer,
//! a start offset, a length and an alpha; every public function runs on
//! every path at every supported level and must give the scalar
//! reference's bits (NaN matching NaN).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[allow(dead_code)]
#[path = "../../tests/common/mod.rs"]
mod common;

use common::*;

/// Reads `N` bytes from the front of `data`, zero-padded.
fn take<const N: usize>(data: &mut &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    let n = N.min(data.len());
    out[..n].copy_from_slice(&data[..n]);
    *data = &data[n..];
    out
}

fn run_case<T: TestFloat>(mut data: &[u8], from_le: fn(&[u8]) -> T) {
    let size = std::mem::size_of::<T>();
    let [offset, src_offset, len_hint] = take::<3>(&mut data);
    let mut alpha = from_le(&take::<8>(&mut data)[..size]);
    if !alpha.is_finite_() {
        // Non-finite alphas are rejected by design; tests/kernels/errors.rs checks it.
        alpha = T::from_f64(0.01);
    }
    // The rest is the two buffers' elements, interleaved.
    let values: Vec<T> = data.chunks_exact(size).map(from_le).collect();
    let half = values.len() / 2;
    let len = if len_hint == 0 { half } else { half.min(len_hint as usize) };
    let (offset, src_offset) = (offset as usize % 9, src_offset as usize % 9);
    let mut dbuf = vec![T::from_f64(0.0); offset + len];
    let mut sbuf = vec![T::from_f64(0.0); src_offset + len];
    for i in 0..len {
        dbuf[offset + i] = values[2 * i];
        sbuf[src_offset + i] = values[2 * i + 1];
    }
    let src = &sbuf[src_offset..];
    for op in OpCase::all(alpha) {
        for path in paths() {
            let mut dst = dbuf.clone();
            check(path, op, src, &mut dst[offset..], "fuzz");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&kind, rest)) = data.split_first() else { return };
    match kind % 4 {
        0 => run_case::<f32>(rest, |b| f32::from_le_bytes(b.try_into().unwrap())),
        1 => run_case::<f64>(rest, |b| f64::from_le_bytes(b.try_into().unwrap())),
        2 => run_case::<half::f16>(rest, |b| half::f16::from_le_bytes(b.try_into().unwrap())),
        _ => run_case::<half::bf16>(rest, |b| half::bf16::from_le_bytes(b.try_into().unwrap())),
    }
});
