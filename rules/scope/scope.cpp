// STUB
namespace blastwall::scope { int placeholder = 0; }
