// Package dynamotest gives the module's tests a DynamoDB client on the
// emulator the test scripts start (moto server, SOURCEFLOW_DYNAMODB_ENDPOINT)
// and table names of their own.
package dynamotest
