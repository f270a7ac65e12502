package main

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// dynamoHealthTimeout bounds the DynamoDB check of one /healthz request
// (readiness; /livez, the liveness probe, checks no dependency).
const dynamoHealthTimeout = 3 * time.Second

// tableDescriber is the part of *dynamodb.Client the health check calls.
type tableDescriber interface {
	DescribeTable(ctx context.Context, in *dynamodb.DescribeTableInput, opts ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
}

// dynamoHealth reports DynamoDB up when it describes table within
// dynamoHealthTimeout: an endpoint that stops answering keeps /healthz at
// 503, while the transports alone would report the instance up with no
// order completing. The stores need dynamodb:DescribeTable already (New
// checks their tables).
func dynamoHealth(api tableDescriber, table string) healthFunc {
	return func(ctx context.Context) (bool, any) {
		ctx, cancel := context.WithTimeout(ctx, dynamoHealthTimeout)
		defer cancel()
		if _, err := api.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)}); err != nil {
			return false, map[string]any{"status": "down", "table": table, "error": err.Error()}
		}
		return true, map[string]any{"status": "up", "table": table}
	}
}

// withStoreHealth adds the store's check, when it has one, to the
// transports' report: up when both are.
func withStoreHealth(transports, store healthFunc) healthFunc {
	if store == nil {
		return transports
	}
	return func(ctx context.Context) (bool, any) {
		tUp, tDetails := transports(ctx)
		sUp, sDetails := store(ctx)
		return tUp && sUp, map[string]any{"transports": tDetails, "store": sDetails}
	}
}
