//! The arithmetic inner loops, written so the compiler vectorises them without `unsafe` or
//! target-specific intrinsics: fixed-width chunks with independent accumulators, which LLVM
//! maps onto SIMD lanes (SSE2 on any x86-64, NEON on aarch64) and which break the serial
//! dependency of a single running sum.

/// Lanes per chunk: eight f32 accumulators are two SSE registers or one AVX register.
const F32_LANES: usize = 8;
/// Lanes per chunk for int8: widening multiply-adds (`pmaddwd`) take sixteen at a time.
const I8_LANES: usize = 16;

/// The dot product of two equally long f32 slices.
pub fn dot_f32(a: &[f32], b: &[f32]) -> f32 {
    debug_assert_eq!(a.len(), b.len());
    let mut sums = [0.0f32; F32_LANES];
    let (a_chunks, b_chunks) = (a.chunks_exact(F32_LANES), b.chunks_exact(F32_LANES));
    let tail: f32 =
        a_chunks.remainder().iter().zip(b_chunks.remainder()).map(|(&x, &y)| x * y).sum();
    for (x, y) in a_chunks.zip(b_chunks) {
        for lane in 0..F32_LANES {
            sums[lane] += x[lane] * y[lane];
        }
    }
    sums.iter().sum::<f32>() + tail
}

/// The dot product of two equally long int8 slices, exact in i32 (a 384-dim product is at
/// most 384 × 127² ≈ 6.2 million, far from overflow for any practical dimension).
pub fn dot_i8(a: &[i8], b: &[i8]) -> i32 {
    debug_assert_eq!(a.len(), b.len());
    let mut sums = [0i32; I8_LANES];
    let (a_chunks, b_chunks) = (a.chunks_exact(I8_LANES), b.chunks_exact(I8_LANES));
    let tail: i32 = a_chunks
        .remainder()
        .iter()
        .zip(b_chunks.remainder())
        .map(|(&x, &y)| i32::from(x) * i32::from(y))
        .sum();
    for (x, y) in a_chunks.zip(b_chunks) {
        for lane in 0..I8_LANES {
            sums[lane] += i32::from(x[lane]) * i32::from(y[lane]);
        }
    }
    sums.iter().sum::<i32>() + tail
}

/// `v` scaled to unit length; a zero vector stays zero (its cosine with anything is then 0).
pub fn normalized(v: &[f32]) -> Vec<f32> {
    let norm = dot_f32(v, v).sqrt();
    if norm > 0.0 { v.iter().map(|x| x / norm).collect() } else { v.to_vec() }
}

/// `v` as int8 with one scale for the whole vector: `v[i] ≈ q[i] × scale`. Symmetric (no
/// offset), so an int8 dot product times both scales approximates the f32 one.
pub fn quantized(v: &[f32]) -> (Vec<i8>, f32) {
    let max = v.iter().fold(0.0f32, |max, x| max.max(x.abs()));
    if max == 0.0 {
        return (vec![0; v.len()], 0.0);
    }
    let scale = max / 127.0;
    // In range by construction: |x / scale| ≤ 127, so the cast never saturates.
    let q = v.iter().map(|x| (x / scale).round() as i8).collect();
    (q, scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_f32_matches_naive_for_every_length() {
        for len in 0..40 {
            let a: Vec<f32> = (0..len).map(|i| i as f32 * 0.5 - 3.0).collect();
            let b: Vec<f32> = (0..len).map(|i| 1.0 - i as f32 * 0.25).collect();
            let naive: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
            assert!((dot_f32(&a, &b) - naive).abs() < 1e-3, "{len}");
        }
    }

    #[test]
    fn dot_i8_matches_naive_for_every_length() {
        for len in 0..70 {
            let a: Vec<i8> = (0..len).map(|i| (i * 7 % 255 - 127) as i8).collect();
            let b: Vec<i8> = (0..len).map(|i| (127 - i * 5 % 255) as i8).collect();
            let naive: i32 = a.iter().zip(&b).map(|(&x, &y)| i32::from(x) * i32::from(y)).sum();
            assert_eq!(dot_i8(&a, &b), naive, "{len}");
        }
    }

    #[test]
    fn normalizes() {
        let v = normalized(&[3.0, 4.0]);
        assert_eq!(v, [0.6, 0.8]);
        assert_eq!(normalized(&[0.0, 0.0]), [0.0, 0.0]);
    }

    #[test]
    fn quantizes_within_half_a_step() {
        let v = normalized(&[0.3, -0.9, 0.1, 0.0, 0.25]);
        let (q, scale) = quantized(&v);
        assert_eq!(q.iter().map(|x| x.unsigned_abs()).max(), Some(127));
        for (x, q) in v.iter().zip(&q) {
            assert!((x - f32::from(*q) * scale).abs() <= scale / 2.0 + 1e-6);
        }
        assert_eq!(quantized(&[0.0; 3]), (vec![0; 3], 0.0));
    }
}
