//go:build !integration

package dynamotest

// The unit run has no emulator; its DynamoDB tests skip, saying why.
const required = false
