// Flattens the server's AppRouter type into a self-contained declaration for the published SDK: every
// procedure's input and output printed structurally (TypeScript compiler API), named workspace types
// hoisted as local aliases, only `@trpc/server` and the standard library referenced. The server's
// context (services, Prisma) never appears: the client does not need it.

import { dirname, resolve } from 'node:path';
import ts from 'typescript';

export type RouterTypesOptions = {
  /** packages/api/src/router.ts */
  routerFile: string;
  /** The tsconfig the server code compiles with. */
  tsconfigFile: string;
  /** The exported router value. */
  exportName?: string;
};

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const PROCEDURE_KINDS = { query: 'TRPCQueryProcedure', mutation: 'TRPCMutationProcedure', subscription: 'TRPCSubscriptionProcedure' } as const;

function loadProgram(options: RouterTypesOptions): ts.Program {
  const config = ts.readConfigFile(options.tsconfigFile, ts.sys.readFile);
  if (config.error) throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, dirname(options.tsconfigFile));
  return ts.createProgram([options.routerFile], { ...parsed.options, noEmit: true });
}

export function emitRouterTypes(options: RouterTypesOptions): string {
  const program = loadProgram(options);
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(resolve(options.routerFile));
  if (!source) throw new Error(`cannot read ${options.routerFile}`);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  const routerSymbol = moduleSymbol && checker.getExportsOfModule(moduleSymbol).find((symbol) => symbol.name === (options.exportName ?? 'appRouter'));
  if (!routerSymbol) throw new Error(`${options.routerFile} exports no ${options.exportName ?? 'appRouter'}`);

  const trpcExports = trpcServerExports(program, checker);
  const hoisted = new Map<ts.Type, { name: string; body: string | null }>();
  const usedNames = new Set<string>();
  const inProgress = new Set<ts.Type>();

  const propertyType = (type: ts.Type, name: string): ts.Type => {
    const property = checker.getPropertyOfType(type, name);
    if (!property) throw new Error(`router type has no ${name} (tRPC internals changed?)`);
    return checker.getTypeOfSymbol(property);
  };

  function isLibrary(declaration: ts.Declaration): boolean {
    return program.isSourceFileDefaultLibrary(declaration.getSourceFile());
  }

  function isWorkspace(declaration: ts.Declaration): boolean {
    const file = declaration.getSourceFile();
    return !program.isSourceFileDefaultLibrary(file) && !file.fileName.includes('/node_modules/');
  }

  function namedSymbol(type: ts.Type): ts.Symbol | undefined {
    if (type.aliasSymbol) return type.aliasSymbol;
    const symbol = type.getSymbol();
    if (symbol && symbol.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.Class)) return symbol;
    return undefined;
  }

  function typeArguments(type: ts.Type): readonly ts.Type[] {
    if (type.aliasSymbol) return type.aliasTypeArguments ?? [];
    if (type.flags & ts.TypeFlags.Object && (type as ts.ObjectType).objectFlags & ts.ObjectFlags.Reference) {
      return checker.getTypeArguments(type as ts.TypeReference);
    }
    return [];
  }

  function withArguments(name: string, type: ts.Type): string {
    const args = typeArguments(type);
    return args.length === 0 ? name : `${name}<${args.map((arg) => print(arg)).join(', ')}>`;
  }

  function uniqueName(base: string): string {
    let name = base;
    for (let i = 2; usedNames.has(name) || name === 'AppRouter'; i++) name = `${base}${i}`;
    usedNames.add(name);
    return name;
  }

  function printProperties(type: ts.Type): string {
    const members: string[] = [];
    for (const property of checker.getPropertiesOfType(type)) {
      const name = IDENTIFIER.test(property.name) ? property.name : JSON.stringify(property.name);
      const optional = property.flags & ts.SymbolFlags.Optional ? '?' : '';
      members.push(`${name}${optional}: ${print(checker.getTypeOfSymbol(property))};`);
    }
    for (const info of checker.getIndexInfosOfType(type)) {
      members.push(`[key: ${print(info.keyType)}]: ${print(info.type)};`);
    }
    for (const signature of type.getCallSignatures()) members.push(`${printSignature(signature)};`);
    return members.length === 0 ? '{}' : `{ ${members.join(' ')} }`;
  }

  function printSignature(signature: ts.Signature): string {
    const parameters = signature.getParameters().map((parameter) => `${parameter.name}: ${print(checker.getTypeOfSymbol(parameter))}`);
    return `(${parameters.join(', ')}): ${print(signature.getReturnType())}`;
  }

  function printObject(type: ts.ObjectType): string {
    if (checker.isTupleType(type)) {
      const target = (type as ts.TupleTypeReference).target;
      const elements = checker.getTypeArguments(type as ts.TypeReference).map((element, i) => {
        const flags = target.elementFlags[i] ?? ts.ElementFlags.Required;
        if (flags & ts.ElementFlags.Variable) return `...${print(element)}[]`;
        return `${print(element)}${flags & ts.ElementFlags.Optional ? '?' : ''}`;
      });
      return `${target.readonly ? 'readonly ' : ''}[${elements.join(', ')}]`;
    }
    if (checker.isArrayType(type)) {
      const [element] = checker.getTypeArguments(type as ts.TypeReference);
      const readonly = type.getSymbol()?.name === 'ReadonlyArray';
      return `${readonly ? 'ReadonlyArray' : 'Array'}<${element ? print(element) : 'unknown'}>`;
    }
    const callSignatures = type.getCallSignatures();
    if (callSignatures.length > 0 && checker.getPropertiesOfType(type).length === 0 && callSignatures[0]) {
      const signature = callSignatures[0];
      const parameters = signature.getParameters().map((parameter) => `${parameter.name}: ${print(checker.getTypeOfSymbol(parameter))}`);
      return `((${parameters.join(', ')}) => ${print(signature.getReturnType())})`;
    }
    return printProperties(type);
  }

  function printStructure(type: ts.Type): string {
    if (type.isUnion()) {
      const members = type.types;
      const hasTrue = members.some((member) => member.flags & ts.TypeFlags.BooleanLiteral && checker.typeToString(member) === 'true');
      const hasFalse = members.some((member) => member.flags & ts.TypeFlags.BooleanLiteral && checker.typeToString(member) === 'false');
      const parts = members.filter((member) => !(hasTrue && hasFalse && member.flags & ts.TypeFlags.BooleanLiteral)).map((member) => print(member));
      if (hasTrue && hasFalse) parts.push('boolean');
      return parts.join(' | ');
    }
    if (type.isIntersection()) return type.types.map((member) => (member.isUnion() ? `(${print(member)})` : print(member))).join(' & ');
    if (type.flags & ts.TypeFlags.Object) return printObject(type as ts.ObjectType);
    return 'unknown';
  }

  function print(type: ts.Type): string {
    const flags = type.flags;
    if (flags & ts.TypeFlags.Any) return 'unknown'; // never `any` in the published types
    if (flags & (ts.TypeFlags.Unknown | ts.TypeFlags.String | ts.TypeFlags.Number | ts.TypeFlags.Boolean | ts.TypeFlags.BigInt | ts.TypeFlags.Null |
      ts.TypeFlags.Undefined | ts.TypeFlags.Void | ts.TypeFlags.Never | ts.TypeFlags.ESSymbol | ts.TypeFlags.NonPrimitive)) {
      return checker.typeToString(type);
    }
    if (flags & ts.TypeFlags.UniqueESSymbol) return 'symbol';
    if (type.isStringLiteral()) return JSON.stringify(type.value);
    if (type.isNumberLiteral()) return String(type.value);
    if (flags & (ts.TypeFlags.BooleanLiteral | ts.TypeFlags.BigIntLiteral | ts.TypeFlags.TemplateLiteral)) return checker.typeToString(type);

    const symbol = namedSymbol(type);
    const declaration = symbol?.declarations?.[0];
    if (symbol && declaration) {
      if (isLibrary(declaration)) return withArguments(symbol.name, type);
      const trpcName = trpcExports.get(symbol);
      if (trpcName) return withArguments(`import('@trpc/server').${trpcName}`, type);
      if (isWorkspace(declaration)) return hoist(type, symbol.name);
    }
    if (inProgress.has(type)) return hoist(type, 'Recursive');
    inProgress.add(type);
    try {
      return printStructure(type);
    } finally {
      inProgress.delete(type);
    }
  }

  /** Named workspace types (and anonymous recursive ones) become local aliases, printed once. */
  function hoist(type: ts.Type, baseName: string): string {
    const existing = hoisted.get(type);
    if (existing) return existing.name;
    const entry = { name: uniqueName(baseName), body: null as string | null };
    hoisted.set(type, entry);
    inProgress.add(type);
    try {
      entry.body = printStructure(type);
    } finally {
      inProgress.delete(type);
    }
    return entry.name;
  }

  function printRecord(record: ts.Type, indent: string): string {
    const lines: string[] = [];
    for (const property of checker.getPropertiesOfType(record)) {
      const value = checker.getTypeOfSymbol(property);
      const key = IDENTIFIER.test(property.name) ? property.name : JSON.stringify(property.name);
      const definition = checker.getPropertyOfType(value, '_def');
      const definitionType = definition && checker.getTypeOfSymbol(definition);
      if (definitionType && checker.getPropertyOfType(definitionType, 'procedure')) {
        const kindType = propertyType(definitionType, 'type');
        const kind = kindType.isStringLiteral() ? kindType.value : '';
        if (!(kind in PROCEDURE_KINDS)) throw new Error(`procedure ${property.name} has an unknown type ${checker.typeToString(kindType)}`);
        const types = propertyType(definitionType, '$types');
        const input = print(propertyType(types, 'input'));
        const output = print(propertyType(types, 'output'));
        lines.push(`${indent}${key}: ${PROCEDURE_KINDS[kind as keyof typeof PROCEDURE_KINDS]}<{ input: ${input}; output: ${output}; meta: object }>;`);
      } else {
        lines.push(`${indent}${key}: {\n${printRecord(value, `${indent}  `)}\n${indent}};`);
      }
    }
    return lines.join('\n');
  }

  const routerType = checker.getTypeOfSymbol(routerSymbol);
  const definition = propertyType(routerType, '_def');
  const rootTypes = propertyType(propertyType(definition, '_config'), '$types');
  const errorShape = print(propertyType(rootTypes, 'errorShape'));
  const transformer = checker.typeToString(propertyType(rootTypes, 'transformer'));
  const record = printRecord(propertyType(definition, 'record'), '  ');

  const aliases = [...hoisted.values()].map((entry) => `type ${entry.name} = ${entry.body ?? 'unknown'};`);
  return [
    '// Generated from the Mission Control server router by @mc/agent-sdk scripts/router-types.ts: do not edit.',
    '// Procedure inputs and outputs only; the server context is not part of the client surface.',
    `import type { TRPCBuiltRouter, ${Object.values(PROCEDURE_KINDS).join(', ')} } from '@trpc/server';`,
    '',
    ...aliases,
    `type ErrorShape = ${errorShape};`,
    `type RootTypes = { ctx: object; meta: object; errorShape: ErrorShape; transformer: ${transformer} };`,
    '',
    `export type AppRouter = TRPCBuiltRouter<RootTypes, {\n${record}\n}>;`,
    '',
  ].join('\n');
}

/** Symbols @trpc/server exports (resolved through its re-exports) → their public names. */
function trpcServerExports(program: ts.Program, checker: ts.TypeChecker): Map<ts.Symbol, string> {
  const names = new Map<ts.Symbol, string>();
  const entry = program.getSourceFiles().find((file) => /\/@trpc\/server\/dist\/index\.d\.m?ts$/.test(file.fileName));
  const moduleSymbol = entry && checker.getSymbolAtLocation(entry);
  if (!moduleSymbol) return names;
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    if (!names.has(target)) names.set(target, exported.name);
  }
  return names;
}
