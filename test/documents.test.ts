import {describe, expect, it} from "vitest";
import {
  buildNfeKey,
  cnpjCheckDigits,
  cpfCheckDigits,
  documentKind,
  formatCnpj,
  formatCpf,
  formatNfeKey,
  generateCnpj,
  generateCpf,
  generateNfeKey,
  isValidCnpj,
  isValidCpf,
  isValidDocument,
  isValidNfeKey,
  maskCpf,
  maskDocument,
  nfeKeyCheckDigit,
  normalizeDocument
} from "../loaders/documents.js";
import {createRandom} from "../loaders/random.js";

describe("CPF", () => {
  it("accepts known valid CPFs, with or without punctuation", () => {
    for (const cpf of ["529.982.247-25", "52998224725", "111.444.777-35", " 111 444 777 35 "]) {
      expect(isValidCpf(cpf), cpf).toBe(true);
    }
  });

  it("rejects a wrong check digit, a wrong length, letters and repeated digits", () => {
    for (const cpf of [
      "529.982.247-24",
      "529.982.247-52",
      "5299822472",
      "529982247250",
      "52998224A25",
      "111.111.111-11"
    ]) {
      expect(isValidCpf(cpf), cpf).toBe(false);
    }
  });

  it("computes the check digits from the first nine digits", () => {
    expect(cpfCheckDigits("529982247")).toBe("25");
    expect(cpfCheckDigits("111444777")).toBe("35");
    expect(() => cpfCheckDigits("12345")).toThrow(/9 digits/);
  });

  it("generates valid CPFs whose fiscal-region digit matches the state", () => {
    const random = createRandom(1);
    for (let i = 0; i < 500; i++) {
      const cpf = generateCpf(random.next, {uf: "SP"});
      expect(isValidCpf(cpf), cpf).toBe(true);
      expect(cpf[8]).toBe("8");
    }
    expect(generateCpf(random.next, {uf: "RS"})[8]).toBe("0");
  });

  it("generates the same CPFs from the same seed", () => {
    const a = createRandom(9);
    const b = createRandom(9);
    expect(Array.from({length: 20}, () => generateCpf(a.next))).toEqual(
      Array.from({length: 20}, () => generateCpf(b.next))
    );
  });

  it("formats and masks for display, showing only the middle digits", () => {
    expect(formatCpf("52998224725")).toBe("529.982.247-25");
    expect(maskCpf("529.982.247-25")).toBe("***.982.247-**");
    expect(maskCpf("123")).toBe("***");
  });
});

describe("CNPJ", () => {
  it("accepts known valid CNPJs, with or without punctuation", () => {
    for (const cnpj of ["11.222.333/0001-81", "11222333000181", "11.444.777/0001-61"]) {
      expect(isValidCnpj(cnpj), cnpj).toBe(true);
    }
  });

  it("rejects a wrong check digit, a wrong length and repeated digits", () => {
    for (const cnpj of [
      "11.222.333/0001-82",
      "11.222.333/0001-18",
      "1122233300018",
      "00000000000000",
      "11111111111111"
    ]) {
      expect(isValidCnpj(cnpj), cnpj).toBe(false);
    }
  });

  it("validates the alphanumeric CNPJ introduced in 2026 (letters count as ASCII minus 48)", () => {
    expect(cnpjCheckDigits("12ABC34501DE")).toBe("35");
    expect(isValidCnpj("12.ABC.345/01DE-35")).toBe(true);
    expect(isValidCnpj("12.abc.345/01de-35")).toBe(true);
    expect(isValidCnpj("12.ABC.345/01DE-36")).toBe(false);
  });

  it("generates valid CNPJs for the head office or a branch", () => {
    const random = createRandom(2);
    for (let i = 0; i < 500; i++) expect(isValidCnpj(generateCnpj(random.next))).toBe(true);
    const branch = generateCnpj(random.next, {branch: 7});
    expect(branch.slice(8, 12)).toBe("0007");
    expect(isValidCnpj(branch)).toBe(true);
  });

  it("formats; a company's CNPJ is not personal data, so masking only formats it", () => {
    expect(formatCnpj("11222333000181")).toBe("11.222.333/0001-81");
    expect(maskDocument("11222333000181")).toBe("11.222.333/0001-81");
    expect(maskDocument("52998224725")).toBe("***.982.247-**");
  });
});

describe("documents in general", () => {
  it("normalises by stripping punctuation and spaces", () => {
    expect(normalizeDocument(" 529.982.247-25 ")).toBe("52998224725");
    expect(normalizeDocument("11.222.333/0001-81")).toBe("11222333000181");
  });

  it("tells a CPF from a CNPJ by length and validates either", () => {
    expect(documentKind("529.982.247-25")).toBe("cpf");
    expect(documentKind("11.222.333/0001-81")).toBe("cnpj");
    expect(documentKind("123")).toBeNull();
    expect(isValidDocument("529.982.247-25")).toBe(true);
    expect(isValidDocument("11.222.333/0001-81")).toBe(true);
    expect(isValidDocument("NAO INFORMADO")).toBe(false);
  });
});

describe("NF-e access key", () => {
  it("computes the mod-11 check digit of the manual's example key", () => {
    // Example from the NF-e Manual de Orientação do Contribuinte.
    expect(nfeKeyCheckDigit("5206043300991100250655012000000780026730161")).toBe(5);
    expect(isValidNfeKey("52060433009911002506550120000007800267301615")).toBe(true);
    expect(isValidNfeKey("52060433009911002506550120000007800267301614")).toBe(false);
    expect(isValidNfeKey("5206043300991100250655012000000780026730161")).toBe(false);
  });

  it("builds a key from its parts in the documented layout", () => {
    const key = buildNfeKey({ufCode: 35, year: 2024, month: 3, cnpj: "11222333000181", series: 1, number: 42, code: 7});
    expect(key).toHaveLength(44);
    expect(key.slice(0, 20)).toBe("35240311222333000181");
    expect(key.slice(20, 22)).toBe("55");
    expect(isValidNfeKey(key)).toBe(true);
    expect(formatNfeKey(key).split(" ")).toHaveLength(11);
  });

  it("generates valid keys from a seeded PRNG", () => {
    const random = createRandom(3);
    for (let i = 0; i < 200; i++) {
      const key = generateNfeKey(random.next, {ufCode: 41, year: 2023, month: 12, cnpj: generateCnpj(random.next)});
      expect(isValidNfeKey(key), key).toBe(true);
    }
  });
});
