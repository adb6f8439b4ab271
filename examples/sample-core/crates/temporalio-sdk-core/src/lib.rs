//! Stand-in for the `temporalio-sdk-core` crate of Temporal's sdk-core.

/// Identifies this library in tests.
#[no_mangle]
pub extern "C" fn temporalio_sdk_core_component_name() -> *const u8 {
    b"temporalio-sdk-core\0".as_ptr()
}
