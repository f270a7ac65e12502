// Package dynamo is what the DynamoDB stores of the module share: the narrow
// client interface they call, the handling transaction (writes collected in a
// context and committed together with TransactWriteItems), retries of
// throttled requests with each attempt bounded (AttemptTimeout) and errors
// that name the table, the item size limit, and the health check of the
// stores' tables (CheckTables).
package dynamo
