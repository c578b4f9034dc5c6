// STUB
#include <cstdio>
int main() { std::puts("blastwall: not built yet"); return 3; }
