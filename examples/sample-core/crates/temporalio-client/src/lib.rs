//! Stand-in for the `temporalio-client` crate of Temporal's sdk-core.

/// Identifies this library in tests.
#[no_mangle]
pub extern "C" fn temporalio_client_component_name() -> *const u8 {
    b"temporalio-client\0".as_ptr()
}
