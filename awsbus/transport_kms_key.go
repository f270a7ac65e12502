package awsbus

// KMSKeyID is Config.KMSKeyID, empty when the transport has no key. A
// cqrs.Service on the transport reads it at Start: when it is set and the
// service's pipeline has no encryption Decrypter (ServiceConfig.HandlerMiddleware)
// or no Encrypter (ServiceConfig.PublisherDecorators), the service logs a
// warning that the message bodies it handles, or sends, are neither
// encrypted nor authenticated, the queues and topics being encrypted at
// rest only.
func (t *Transport) KMSKeyID() string { return t.cfg.KMSKeyID }
