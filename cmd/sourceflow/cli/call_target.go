package cli

import (
	"errors"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/smithy-go"
)

// callTarget names what advice about a failed AWS call (err) points at: the
// service the SDK names in err ("SQS", "KMS"; "AWS" when err names none),
// and the region and endpoint (as endpointNote words it) of the client that
// made the call: the KMS client's for a KMS call (the check of the file's
// key), the SQS client's otherwise.
func (s *session) callTarget(err error) (service, region, endpoint string) {
	op, ok := errors.AsType[*smithy.OperationError](err)
	switch {
	case !ok:
		return "AWS", s.clients.Region, s.endpointNote()
	case op.Service() == kms.ServiceID:
		return op.Service(), kmsRegion(s.clients.KMS, s.clients.Region), kmsEndpointNote(s.clients.KMS)
	}
	return op.Service(), s.clients.Region, s.endpointNote()
}
