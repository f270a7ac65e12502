package cli

import (
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"
)

// withBound returns api, when it is a client of the SDK, as a copy of it whose
// calls b bounds (callBound); any other api (a fake) as it is, and a nil
// one nil. A is the interface the caller holds the client by.
func withBound[A any](api A, b callBound) A {
	add := func(o *[]func(*middleware.Stack) error) { *o = b.apiOptions(*o) }
	var c any
	switch sdk := any(api).(type) {
	case *sqs.Client:
		c = sqs.New(sdk.Options(), func(o *sqs.Options) { add(&o.APIOptions) })
	case *sns.Client:
		c = sns.New(sdk.Options(), func(o *sns.Options) { add(&o.APIOptions) })
	case *sts.Client:
		c = sts.New(sdk.Options(), func(o *sts.Options) { add(&o.APIOptions) })
	case *kms.Client:
		c = kms.New(sdk.Options(), func(o *kms.Options) { add(&o.APIOptions) })
	case *dynamodb.Client:
		c = dynamodb.New(sdk.Options(), func(o *dynamodb.Options) { add(&o.APIOptions) })
	default:
		return api
	}
	return c.(A)
}
