// STUB
namespace blastwall::cli { int placeholder = 0; }
