//! Stand-in for sdk-core's C bridge: a few functions with a C ABI, declared in
//! include/temporal_sample_bridge.h, that a C or C++ program links against.

use std::os::raw::c_char;

/// Version of the bridge, as a NUL-terminated string.
#[no_mangle]
pub extern "C" fn temporal_core_bridge_version() -> *const c_char {
    b"sample-core 0.1.0\0".as_ptr() as *const c_char
}

/// Adds two numbers, wrapping on overflow.
#[no_mangle]
pub extern "C" fn temporal_core_add(a: u64, b: u64) -> u64 {
    a.wrapping_add(b)
}

/// Writes "hello, <name>" into `out` (at most `len` bytes including the NUL) and
/// returns the length written, or -1 when a pointer is null or `len` is too small.
///
/// # Safety
/// `name` must be a valid NUL-terminated string and `out` must point to `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn temporal_core_greet(name: *const c_char, out: *mut c_char, len: usize) -> i64 {
    if name.is_null() || out.is_null() {
        return -1;
    }
    let name = std::ffi::CStr::from_ptr(name).to_string_lossy();
    let text = format!("hello, {}", name);
    if text.len() + 1 > len {
        return -1;
    }
    std::ptr::copy_nonoverlapping(text.as_ptr(), out as *mut u8, text.len());
    *out.add(text.len()) = 0;
    text.len() as i64
}

/// Runs a small workload on a thread (so the library needs pthread like the real one).
#[no_mangle]
pub extern "C" fn temporal_core_sum_on_thread(n: u64) -> u64 {
    std::thread::spawn(move || (1..=n).sum::<u64>()).join().unwrap_or(0)
}
