// STUB (proxy room).
namespace blastwall::proxy { int placeholder = 0; }
