package cli

import (
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// The bound functions return api, when it is a client of the SDK, as a
// copy of it whose calls b bounds (callBound); any other api (a fake) as
// it is. A is the interface the caller holds the client by. A nil api
// stays nil.

// boundSQS bounds an *sqs.Client's calls by b.
func boundSQS[A any](api A, b callBound) A {
	if c, ok := any(api).(*sqs.Client); ok {
		return any(sqs.New(c.Options(), func(o *sqs.Options) { o.APIOptions = b.apiOptions(o.APIOptions) })).(A)
	}
	return api
}

// boundSNS bounds an *sns.Client's calls by b.
func boundSNS[A any](api A, b callBound) A {
	if c, ok := any(api).(*sns.Client); ok {
		return any(sns.New(c.Options(), func(o *sns.Options) { o.APIOptions = b.apiOptions(o.APIOptions) })).(A)
	}
	return api
}

// boundSTS bounds an *sts.Client's calls by b.
func boundSTS[A any](api A, b callBound) A {
	if c, ok := any(api).(*sts.Client); ok {
		return any(sts.New(c.Options(), func(o *sts.Options) { o.APIOptions = b.apiOptions(o.APIOptions) })).(A)
	}
	return api
}

// boundKMS bounds an *kms.Client's calls by b.
func boundKMS[A any](api A, b callBound) A {
	if c, ok := any(api).(*kms.Client); ok {
		return any(kms.New(c.Options(), func(o *kms.Options) { o.APIOptions = b.apiOptions(o.APIOptions) })).(A)
	}
	return api
}

// boundDynamoDB bounds an *dynamodb.Client's calls by b.
func boundDynamoDB[A any](api A, b callBound) A {
	if c, ok := any(api).(*dynamodb.Client); ok {
		return any(dynamodb.New(c.Options(), func(o *dynamodb.Options) { o.APIOptions = b.apiOptions(o.APIOptions) })).(A)
	}
	return api
}
