//! Per-provider tests: each provider's fixture pages classified, and a sign-in against a test IdP serving them.
