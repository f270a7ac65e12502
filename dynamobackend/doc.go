// Package dynamobackend makes, on one DynamoDB client, everything that
// keeps a service's state and handles each message once: the command,
// entity and view stores of cqrs/dynamostore, the idempotency store of
// idempotency/dynamostore and, when asked, a dynamostore.Outbox per
// service.
//
// # Use
//
//	b, err := dynamobackend.New(ctx, dynamobackend.Config{Client: dynamodb.NewFromConfig(awsCfg), TablePrefix: "orders_", Outbox: true})
//	defer b.Close() // after the services' Close
//	cfg := cqrs.ServiceConfig{Name: "orders", Transport: transport, Listen: []string{"orders.fifo"}}
//	claims, err := b.Idempotency(idempotency.MiddlewareConfig{})
//	err = stack.Use(middleware.ConsumeIdempotency, "dynamodb", claims.Middleware)
//	cfg.HandlerMiddleware, cfg.PublisherDecorators = stack.HandlerMiddlewares(), stack.PublisherDecorators()
//	svc, err := b.NewService(ctx, cfg) // the three stores, and the outbox in front of transport
//
// NewService is Configure followed by cqrs.NewService. A program that calls
// Configure itself calls it before cqrs.NewService, which copies its
// ServiceConfig: a Configure after it leaves the service on memory stores.
//
// The stores share one client, so a handling transaction spans them; the
// Backend's Close closes the outboxes, then the idempotency store, and
// returns every error. RetryStats sums the stores' retried requests for
// metrics.Config.StoreRetries.
//
// Each service's outbox is named after it, behind Config.OutboxPrefix:
// deployments that share the tables (one TablePrefix) and run services of
// the same names give each their own OutboxPrefix, so that each sweep
// relays only its own deployment's messages.
//
// # Health
//
// Check, for a readiness probe (never a liveness probe), describes each
// table the Backend uses, all at once, each bounded by 10 s and tried once:
// ErrMissingTable or ErrTableNotActive name the table and the remedy, and a
// request that fails (DynamoDB not answering, throttled, access denied)
// names its table, as the stores' errors do.
//
// # Where it lives
//
// The package sits beside awsbus rather than in cqrs/dynamostore, so that
// the stores keep their imports, and a program that needs no idempotency
// store can use them without it. Its SQL counterpart is package
// sqlbackend.
package dynamobackend
