//go:build integration

package dynamotest

// The integration run starts the emulator and must exercise it.
const required = true
