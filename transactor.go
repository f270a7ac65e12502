package sourceflow

import "context"

// Transactor is implemented by stores that can run work in one database
// transaction. fn receives a context carrying the transaction; every store on
// the same database called with that context joins it, so their writes commit
// together or not at all. When ctx already carries a transaction of the same
// database, fn joins it and the outer caller commits.
type Transactor interface {
	WithinTx(ctx context.Context, fn func(ctx context.Context) error) error
}
