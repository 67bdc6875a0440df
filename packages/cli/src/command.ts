// The shape every command has: a leaf module, so the commands need not import main.ts (which loads them).

/** Where a command writes its lines (stdout or stderr). */
export type Out = (line: string) => void;
export type Command = (args: string[], out: Out, err: Out) => number | Promise<number>;
