package cli

import (
	"errors"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// callTarget names what advice about a failed AWS call (err) points at: the
// service the SDK names in err ("SQS", "SNS"; "AWS" when err names none),
// and the region and endpoint (as endpointNote words it) of the client that
// made the call (clientTarget).
func (s *session) callTarget(err error) (service, region, endpoint string) {
	service = callService(err)
	region, endpoint = s.clientTarget(service)
	return service, region, endpoint
}

// callService is the service the SDK names in err, the error of a failed
// call ("SQS", "SNS"), or "AWS" when err names none.
func callService(err error) string {
	if op, ok := errors.AsType[*smithy.OperationError](err); ok {
		return op.Service()
	}
	return "AWS"
}

// clientTarget is the region and endpoint (as endpointNote words it) of
// the session's client of service, as the SDK names it: the SNS, STS,
// DynamoDB or KMS client's for a call of theirs (optionsTarget; the KMS
// client checks the file's key), the SQS client's otherwise.
func (s *session) clientTarget(service string) (region, endpoint string) {
	region = s.clients.Region
	switch service {
	case sns.ServiceID:
		return optionsTarget(s.clients.SNS, service, region, func(o sns.Options) (string, *string) { return o.Region, o.BaseEndpoint }, s.shared.profile)
	case sts.ServiceID:
		return optionsTarget(s.clients.STS, service, region, func(o sts.Options) (string, *string) { return o.Region, o.BaseEndpoint }, s.shared.profile)
	case dynamodb.ServiceID:
		return optionsTarget(s.clients.DynamoDB, service, region,
			func(o dynamodb.Options) (string, *string) { return o.Region, o.BaseEndpoint }, s.shared.profile)
	case kms.ServiceID:
		return kmsTarget(s.clients.KMS, region, s.shared.profile)
	}
	return region, s.endpointNote()
}

// kmsTarget is optionsTarget for the KMS client api: the Clients' one, or
// the one peek --decrypt builds apart from them.
func kmsTarget(api any, region string, profile func() (awsconfig.SharedConfig, bool)) (string, string) {
	return optionsTarget(api, kms.ServiceID, region, func(o kms.Options) (string, *string) { return o.Region, o.BaseEndpoint }, profile)
}
