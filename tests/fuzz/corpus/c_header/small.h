int a(void);
void (*f(int))(int);
typedef void (*cb)(int);
extern "C" { int b(int x); }
