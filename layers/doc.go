// Package layers holds pktkit's protocol tables: one file per protocol,
// each declaring its fields, bindings, auto fields and summary, and
// registering itself with the engine in package packet.
//
// Import it for its side effect wherever packets are dissected or built:
//
//	import _ "pktkit/layers"
package layers
