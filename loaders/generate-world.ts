// The generator's picture of Brazil: states weighted by economic size, their main cities, business segments and the
// words synthetic names are made of. Shares are rounded public figures (IBGE regional GDP), not exact statistics.
import type {Random} from "./random.js";
import {UFS} from "./registry-schema.js";

export type Uf = (typeof UFS)[number];

interface UfInfo {
  /** IBGE code, also the first two digits of an NF-e key. */
  code: number;
  /** Share of national GDP, percent. */
  gdp: number;
  /** Capital first; drawn with weights 1, 1/2, 1/3 … after the capital's extra weight. */
  cities: readonly string[];
}

export const UF_INFO: Record<Uf, UfInfo> = {
  RO: {code: 11, gdp: 0.6, cities: ["Porto Velho", "Ji-Paraná", "Ariquemes"]},
  AC: {code: 12, gdp: 0.2, cities: ["Rio Branco", "Cruzeiro do Sul"]},
  AM: {code: 13, gdp: 1.4, cities: ["Manaus", "Parintins", "Itacoatiara"]},
  RR: {code: 14, gdp: 0.2, cities: ["Boa Vista"]},
  PA: {code: 15, gdp: 2.8, cities: ["Belém", "Ananindeua", "Santarém", "Marabá"]},
  AP: {code: 16, gdp: 0.2, cities: ["Macapá", "Santana"]},
  TO: {code: 17, gdp: 0.5, cities: ["Palmas", "Araguaína", "Gurupi"]},
  MA: {code: 21, gdp: 1.4, cities: ["São Luís", "Imperatriz", "Caxias"]},
  PI: {code: 22, gdp: 0.7, cities: ["Teresina", "Parnaíba", "Picos"]},
  CE: {code: 23, gdp: 2.1, cities: ["Fortaleza", "Caucaia", "Juazeiro do Norte", "Sobral"]},
  RN: {code: 24, gdp: 0.8, cities: ["Natal", "Mossoró", "Parnamirim"]},
  PB: {code: 25, gdp: 0.8, cities: ["João Pessoa", "Campina Grande", "Santa Rita"]},
  PE: {code: 26, gdp: 2.4, cities: ["Recife", "Jaboatão dos Guararapes", "Olinda", "Caruaru", "Petrolina"]},
  AL: {code: 27, gdp: 0.7, cities: ["Maceió", "Arapiraca"]},
  SE: {code: 28, gdp: 0.5, cities: ["Aracaju", "Nossa Senhora do Socorro"]},
  BA: {code: 29, gdp: 3.8, cities: ["Salvador", "Feira de Santana", "Vitória da Conquista", "Camaçari"]},
  MG: {code: 31, gdp: 9.3, cities: ["Belo Horizonte", "Uberlândia", "Contagem", "Juiz de Fora", "Betim"]},
  ES: {code: 32, gdp: 2.0, cities: ["Vitória", "Vila Velha", "Serra", "Cariacica"]},
  RJ: {code: 33, gdp: 10.5, cities: ["Rio de Janeiro", "Niterói", "Duque de Caxias", "Nova Iguaçu", "São Gonçalo"]},
  SP: {
    code: 35,
    gdp: 31.6,
    cities: ["São Paulo", "Campinas", "Guarulhos", "São Bernardo do Campo", "Santo André", "Ribeirão Preto"]
  },
  PR: {code: 41, gdp: 6.3, cities: ["Curitiba", "Londrina", "Maringá", "Ponta Grossa", "Cascavel"]},
  SC: {code: 42, gdp: 4.8, cities: ["Florianópolis", "Joinville", "Blumenau", "Chapecó", "Itajaí"]},
  RS: {code: 43, gdp: 6.5, cities: ["Porto Alegre", "Caxias do Sul", "Canoas", "Pelotas", "Santa Maria"]},
  MS: {code: 50, gdp: 1.6, cities: ["Campo Grande", "Dourados", "Três Lagoas"]},
  MT: {code: 51, gdp: 2.4, cities: ["Cuiabá", "Várzea Grande", "Rondonópolis", "Sinop"]},
  GO: {code: 52, gdp: 2.9, cities: ["Goiânia", "Aparecida de Goiânia", "Anápolis", "Rio Verde"]},
  DF: {code: 53, gdp: 3.2, cities: ["Brasília"]}
};

export const UF_WEIGHTS = Float64Array.from(UFS, (uf) => UF_INFO[uf].gdp);

// City weights per UF: capital 1 + 1 extra (metropolitan pull), then 1/2, 1/3 …
const CITY_WEIGHTS = Object.fromEntries(
  UFS.map((uf) => [uf, Float64Array.from(UF_INFO[uf].cities, (_, i) => (i === 0 ? 2 : 1 / (i + 1)))])
) as Record<Uf, Float64Array>;

export function pickCity(random: Random, uf: Uf): string {
  return UF_INFO[uf].cities[random.weightedIndex(CITY_WEIGHTS[uf])];
}

export interface Segment {
  name: string;
  /** Share of companies. */
  weight: number;
  /** Median bill value in BRL when this segment issues the bill. */
  medianValue: number;
  /** Probability that a bill issued by this segment is for services rather than goods. */
  services: number;
  /** Shift of a payer's risk (log-odds of paying late) for companies in this segment. */
  risk: number;
  /** Words for company names. */
  words: readonly string[];
}

export const SEGMENTS: readonly Segment[] = [
  {name: "retail", weight: 22, medianValue: 2_500, services: 0.05, risk: 0.2, words: ["Comércio", "Magazine", "Lojas"]},
  {name: "wholesale", weight: 16, medianValue: 12_000, services: 0.02, risk: 0, words: ["Distribuidora", "Atacadista"]},
  {
    name: "manufacturing",
    weight: 14,
    medianValue: 25_000,
    services: 0.05,
    risk: -0.2,
    words: ["Indústria", "Metalúrgica", "Têxtil", "Plásticos"]
  },
  {
    name: "agribusiness",
    weight: 8,
    medianValue: 40_000,
    services: 0.05,
    risk: 0.1,
    words: ["Agropecuária", "Agrícola"]
  },
  {
    name: "construction",
    weight: 7,
    medianValue: 18_000,
    services: 0.3,
    risk: 0.3,
    words: ["Construtora", "Engenharia"]
  },
  {name: "transport", weight: 7, medianValue: 6_000, services: 0.9, risk: 0.1, words: ["Transportes", "Logística"]},
  {name: "food_services", weight: 6, medianValue: 1_500, services: 0.3, risk: 0.3, words: ["Restaurante", "Alimentos"]},
  {name: "health", weight: 5, medianValue: 5_000, services: 0.8, risk: -0.1, words: ["Clínica", "Laboratório"]},
  {name: "technology", weight: 6, medianValue: 8_000, services: 0.85, risk: -0.2, words: ["Tecnologia", "Sistemas"]},
  {
    name: "professional_services",
    weight: 9,
    medianValue: 4_000,
    services: 0.95,
    risk: 0,
    words: ["Consultoria", "Serviços", "Assessoria"]
  }
];

export const SEGMENT_WEIGHTS = Float64Array.from(SEGMENTS, (s) => s.weight);
/** Segment of natural persons (PF), who appear as payers only. */
export const INDIVIDUAL_SEGMENT = "individual";

const CORES = [
  ...["Silva", "Horizonte", "Aurora", "Paulista", "Bandeirantes", "Santa Clara", "Nova Era", "Ipê", "Jequitibá"],
  ...["Atlântico", "Serra Azul", "Boa Vista", "Cruzeiro", "Estrela", "Ouro Verde", "Pioneira", "Continental"],
  ...["Oliveira", "Souza", "Pereira", "Costa", "Rodrigues", "Almeida", "Nascimento", "Lima", "Araújo", "Ribeiro"],
  ...["Vale do Sol", "Primavera", "Triângulo", "Guanabara", "Planalto", "Litoral", "Aliança", "Progresso", "Itapuã"],
  ...["Mantiqueira", "Sertaneja", "Capixaba", "Gaúcha", "Mineira", "Fluminense", "Potiguar", "Amazônia", "Cerrado"]
];
const SUFFIXES = ["Ltda", "Ltda", "Ltda", "Ltda", "Ltda", "Ltda", "S.A.", "ME", "ME", "EPP", "EIRELI"];
const FIRST_NAMES = [
  ...["Maria", "Ana", "Francisca", "Antônia", "Adriana", "Juliana", "Márcia", "Fernanda", "Patrícia", "Aline"],
  ...["Sandra", "Camila", "Amanda", "Bruna", "Jéssica", "Letícia", "Júlia", "Luciana", "Vanessa", "Mariana"],
  ...["José", "João", "Antônio", "Francisco", "Carlos", "Paulo", "Pedro", "Lucas", "Luiz", "Marcos"],
  ...["Luís", "Gabriel", "Rafael", "Daniel", "Marcelo", "Bruno", "Eduardo", "Felipe", "Raimundo", "Rodrigo"]
];
const SURNAMES = [
  ...["Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima", "Gomes"],
  ...["Costa", "Ribeiro", "Martins", "Carvalho", "Almeida", "Lopes", "Soares", "Fernandes", "Vieira", "Barbosa"],
  ...["Rocha", "Dias", "Nascimento", "Andrade", "Moreira", "Nunes", "Marques", "Machado", "Mendes", "Freitas"],
  ...["Cardoso", "Ramos", "Gonçalves", "Santana", "Teixeira", "Araújo", "Pinto", "Correia", "Cavalcanti", "Batista"]
];

export function companyName(random: Random, segment: Segment): string {
  const core = random.bernoulli(0.25) ? `${random.choice(CORES)} & ${random.choice(SURNAMES)}` : random.choice(CORES);
  return `${random.choice(segment.words)} ${core} ${random.choice(SUFFIXES)}`;
}

export function personName(random: Random): string {
  const first = random.choice(FIRST_NAMES);
  const middle = random.bernoulli(0.6) ? ` ${random.choice(SURNAMES)}` : "";
  return `${first}${middle} ${random.choice(SURNAMES)}`;
}

export type ParticipantKind = "bank" | "fidc" | "securitizer" | "fintech";

export function participantName(random: Random, kind: ParticipantKind): string {
  const core = random.choice(CORES);
  switch (kind) {
    case "bank":
      return `Banco ${core} S.A.`;
    case "fidc":
      return random.bernoulli(0.5)
        ? `${core} Fundo de Investimento em Direitos Creditórios`
        : `FIDC ${core} Multissetorial`;
    case "securitizer":
      return `${core} Securitizadora S.A.`;
    case "fintech":
      return random.bernoulli(0.5)
        ? `${core} Sociedade de Crédito Direto S.A.`
        : `${core} Pay Instituição de Pagamento S.A.`;
  }
}
