// The workshop's words as types, each defined once and used by every room, the wire contract and so the dashboard.
// Types only, no imports: the contract re-exports from here and the browser build must see nothing else.
export {};
